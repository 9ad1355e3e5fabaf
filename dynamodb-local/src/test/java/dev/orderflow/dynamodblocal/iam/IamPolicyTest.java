package dev.orderflow.dynamodblocal.iam;

import static dev.orderflow.dynamodblocal.iam.IamPolicy.Decision.ALLOW;
import static dev.orderflow.dynamodblocal.iam.IamPolicy.Decision.EXPLICIT_DENY;
import static dev.orderflow.dynamodblocal.iam.IamPolicy.Decision.IMPLICIT_DENY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The policy model and the request reading of the IAM front, without a network (see the launcher's IamFrontTest). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IamPolicyTest {
    private static final Path TEMPLATE = CfnTemplate.repositoryRoot().resolve("template.yaml");
    private static final String TABLE = "orderflow";

    private static IamPolicy role(String logicalId) {
        return IamPolicy.fromTemplate(TEMPLATE, logicalId, TABLE, "us-east-1", "123456789012");
    }

    private static String arn(String table) {
        return "arn:aws:dynamodb:us-east-1:123456789012:table/" + table;
    }

    @Test
    void shouldGrantTheCaptureRoleExactlyWhatItsWriterCalls() {
        IamPolicy capture = role(IamPolicy.CAPTURE_ROLE);
        for (String action : List.of("PutItem", "UpdateItem", "DescribeTable", "Query", "GetItem")) {
            assertEquals(ALLOW, capture.decide("dynamodb:" + action, arn(TABLE)), action);
        }
        for (String action : List.of("BatchWriteItem", "DeleteItem", "Scan", "CreateTable", "DeleteTable",
                "BatchGetItem")) {
            assertEquals(IMPLICIT_DENY, capture.decide("dynamodb:" + action, arn(TABLE)), action);
        }
        assertEquals(IMPLICIT_DENY, capture.decide("dynamodb:PutItem", arn("other")));
        assertEquals(IMPLICIT_DENY, capture.decide("dynamodb:Query", arn(TABLE) + "/index/any"),
                "the capture role names the table only, not its indexes");
        assertEquals("arn:aws:sts::123456789012:assumed-role/CaptureRole/local", capture.principal());
    }

    @Test
    void shouldExpandTheQueryFunctionsDynamoDbReadPolicyAsSamDoes() {
        IamPolicy query = role(IamPolicy.QUERY_FUNCTION);
        for (String action : List.of("GetItem", "Scan", "Query", "BatchGetItem", "DescribeTable")) {
            assertEquals(ALLOW, query.decide("dynamodb:" + action, arn(TABLE)), action);
        }
        assertEquals(ALLOW, query.decide("dynamodb:Query", arn(TABLE) + "/index/byTime"));
        for (String action : List.of("PutItem", "UpdateItem", "BatchWriteItem", "DeleteItem", "CreateTable")) {
            assertEquals(IMPLICIT_DENY, query.decide("dynamodb:" + action, arn(TABLE)), action);
        }
        assertEquals(IMPLICIT_DENY, query.decide("dynamodb:Query", arn("orderflow2")));
        assertEquals("QueryFunctionRole", query.role());
    }

    @Test
    void shouldMatchActionsWithoutCaseAndResourcesWithCaseAndLetDenyWin() {
        IamPolicy policy = new IamPolicy("r", "1", "eu-west-1", List.of(
                new IamPolicy.Statement(true, List.of("dynamodb:Get*", "dynamodb:Query"), List.of("arn:t/Orders*")),
                new IamPolicy.Statement(false, List.of("dynamodb:GetItem"), List.of("arn:t/OrdersSecret"))));
        assertEquals(ALLOW, policy.decide("DynamoDB:getitem", "arn:t/Orders"));
        assertEquals(ALLOW, policy.decide("dynamodb:GetRecords", "arn:t/Orders/index/x"));
        assertEquals(IMPLICIT_DENY, policy.decide("dynamodb:Query", "arn:t/orders"));
        assertEquals(EXPLICIT_DENY, policy.decide("dynamodb:GetItem", "arn:t/OrdersSecret"));
        assertEquals(ALLOW, policy.decide("dynamodb:Query", "arn:t/OrdersSecret"));

        IamPolicy denied = policy.withDeny("dynamodb:Query");
        assertEquals(EXPLICIT_DENY, denied.decide("dynamodb:Query", "arn:t/Orders"));
        IamPolicy restored = denied.withAllow("dynamodb:Query");
        assertEquals(ALLOW, restored.decide("dynamodb:Query", "arn:t/Orders"));
        assertEquals(EXPLICIT_DENY, restored.decide("dynamodb:GetItem", "arn:t/OrdersSecret"),
                "allow() lifts only the actions it names");
    }

    @Test
    void shouldResolveTheShortTagsOfARoleAndRefuseWhatItCannotModel(@TempDir Path dir) throws IOException {
        Path template = dir.resolve("t.yaml");
        Files.writeString(template, """
                Parameters:
                  Suffix: {Type: String, Default: idx}
                Conditions:
                  Never: !Equals [a, b]
                Resources:
                  T:
                    Type: AWS::DynamoDB::Table
                  R:
                    Type: AWS::IAM::Role
                    Properties:
                      Policies:
                        - PolicyName: p
                          PolicyDocument:
                            Statement:
                              - Effect: Allow
                                Action: dynamodb:Query
                                Resource:
                                  - !Sub '${T.Arn}/index/${Suffix}'
                                  - !If [Never, '*', !Join ['', [!GetAtt T.Arn, '-copy']]]
                              - Effect: Allow
                                Action: [ec2:AttachVolume]
                                Resource: !Sub arn:${AWS::Partition}:ec2:${AWS::Region}:${Unknown}
                                Condition: {StringEquals: {a: b}}
                  Bad:
                    Type: AWS::IAM::Role
                    Properties:
                      Policies:
                        - PolicyName: p
                          PolicyDocument:
                            Statement:
                              - {Effect: Allow, Action: 'dynamodb:*', Resource: '*', Condition: {Bool: {x: 'true'}}}
                """, StandardCharsets.UTF_8);
        IamPolicy r = IamPolicy.fromTemplate(template, "R", "t1", "us-east-1", "1");
        assertEquals(List.of(new IamPolicy.Statement(true, List.of("dynamodb:Query"), List.of(
                "arn:aws:dynamodb:us-east-1:1:table/t1/index/idx", "arn:aws:dynamodb:us-east-1:1:table/t1-copy"))),
                r.statements(), "the ec2 statement is left out without resolving its names");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> IamPolicy.fromTemplate(template, "Bad", "t1", "us-east-1", "1")).getMessage().contains("Condition"));
        assertThrows(IllegalArgumentException.class, () -> IamPolicy.fromTemplate(template, "T", "t1", "us-east-1", "1"));
    }

    @Test
    void shouldCheckEveryTableAndIndexACallTouches() {
        IamFront front = IamFront.start(java.net.URI.create("http://127.0.0.1:9"), new IamPolicy("r", "1", "us-east-1",
                List.of(new IamPolicy.Statement(true, List.of("dynamodb:*"), List.of(
                        "arn:aws:dynamodb:us-east-1:1:table/a")))), 0);
        try {
            assertNull(front.refusal("Query", bytes("{\"TableName\":\"a\",\"Limit\":1}")));
            assertTrue(front.refusal("Query", bytes("{\"TableName\":\"a\",\"IndexName\":\"i\"}"))
                    .contains("on resource: arn:aws:dynamodb:us-east-1:1:table/a/index/i because"));
            assertNull(front.refusal("BatchWriteItem", bytes("{\"RequestItems\":{\"a\":[{\"PutRequest\":{\"Item\":"
                    + "{\"pk\":{\"S\":\"x\\\"y\\u00e9\"}}}}]}}")));
            assertTrue(front.refusal("BatchGetItem", bytes("{\"RequestItems\":{\"a\":{},\"b\":{}}}"))
                    .contains("dynamodb:BatchGetItem on resource: arn:aws:dynamodb:us-east-1:1:table/b "));
            assertTrue(front.refusal("TransactWriteItems", bytes("{\"TransactItems\":[{\"Put\":{\"TableName\":\"a\"}},"
                    + "{\"Delete\":{\"TableName\":\"c\"}}]}")).contains("dynamodb:DeleteItem on resource: "
                    + "arn:aws:dynamodb:us-east-1:1:table/c"));
            assertTrue(front.refusal("ListTables", bytes("{}")).contains("dynamodb:ListTables on resource: *"));
            front.deny("dynamodb:Query");
            assertTrue(front.refusal("Query", bytes("{\"TableName\":\"a\"}"))
                    .endsWith("with an explicit deny in an identity-based policy"));
            front.allow("dynamodb:Query");
            assertNull(front.refusal("Query", bytes("{\"TableName\":\"a\"}")));
        } finally {
            front.close();
        }
    }

    @Test
    void shouldReadJsonAsDynamoDbRequestsWriteIt() {
        Object parsed = RequestJson.parse(" {\"a\" : [1, true,null,{}], \"b\":\"q\\\"\\\\\\/\\n\\u00e9\"} ");
        assertEquals(Map.of("a", List.of(new RequestJson.Literal("1"), new RequestJson.Literal("true"),
                new RequestJson.Literal("null"), Map.of()), "b", "q\"\\/\n\u00e9"), parsed);
        assertEquals("{\"a\":[1,true,null,{}],\"b\":\"q\\\"\\\\/\\u000a\u00e9\"}", RequestJson.write(parsed));
        assertEquals(parsed, RequestJson.parse(RequestJson.write(parsed)));
        assertEquals(Map.of(), RequestJson.parse(""));
        assertThrows(IllegalArgumentException.class, () -> RequestJson.parse("{\"a\":"));
        assertThrows(IllegalArgumentException.class, () -> RequestJson.parse("{\"a\":1}x"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
