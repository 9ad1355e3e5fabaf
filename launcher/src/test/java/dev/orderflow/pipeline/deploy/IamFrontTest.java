package dev.orderflow.pipeline.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.CfnTemplate;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.dynamodblocal.iam.StaleReads;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The IAM front with the real SDK client against DynamoDB Local, with the capture's and the query function's
 * policies as template.yaml grants them: what a role may call passes, anything else fails as it fails in AWS.
 * (Here rather than in dynamodb-local: that module cannot have the SDK on a class path of its own.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IamFrontTest {
    private static final String TABLE = "orderflow";
    private static final Path TEMPLATE = CfnTemplate.repositoryRoot().resolve("template.yaml");
    private static final Map<String, AttributeValue> KEY = Map.of(
            TableLayout.PK, AttributeValue.fromS("k"), TableLayout.SK, AttributeValue.fromS("1"));

    private static DynamoDbLocal db;
    private static IamFront capture;
    private static IamFront query;
    private static DynamoDbClient asCapture;
    private static DynamoDbClient asQuery;

    @BeforeAll
    static void start() {
        db = DynamoDbLocal.start(0, null);
        try (DynamoDbClient direct = client(db.endpoint())) {
            direct.createTable(TableLayout.createTableRequest(TABLE));
            direct.createTable(TableLayout.createTableRequest("other"));
        }
        capture = IamFront.forRole(db.endpoint(), TEMPLATE, IamPolicy.CAPTURE_ROLE, TABLE);
        query = IamFront.forRole(db.endpoint(), TEMPLATE, IamPolicy.QUERY_FUNCTION, TABLE);
        asCapture = client(capture.endpoint());
        asQuery = client(query.endpoint());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {asCapture, asQuery, capture, query, db}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next one is closed all the same
            }
        }
    }

    @Test
    void shouldLetTheCaptureWriteAndReadBackItsTable() {
        asCapture.describeTable(b -> b.tableName(TABLE));
        asCapture.putItem(b -> b.tableName(TABLE).item(KEY));
        asCapture.updateItem(b -> b.tableName(TABLE).key(KEY).updateExpression("SET n = :n")
                .expressionAttributeValues(Map.of(":n", AttributeValue.fromN("1"))));
        assertEquals("1", asCapture.getItem(b -> b.tableName(TABLE).key(KEY)).item().get("n").n());
        assertEquals(1, asCapture.query(b -> b.tableName(TABLE).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("k")))).count());
        asCapture.transactWriteItems(b -> b.transactItems(
                software.amazon.awssdk.services.dynamodb.model.TransactWriteItem.builder().put(p -> p.tableName(TABLE)
                        .item(Map.of(TableLayout.PK, AttributeValue.fromS("k"), TableLayout.SK, AttributeValue.fromS("2")))
                        .conditionExpression("attribute_not_exists(pk)")).build()));
    }

    @Test
    void shouldRefuseWhatTheCaptureRoleIsNotGrantedAsDynamoDbDoesWithoutRetrying() {
        long before = capture.denied();
        AwsServiceException e = assertThrows(AwsServiceException.class,
                () -> asCapture.deleteItem(b -> b.tableName(TABLE).key(KEY)));
        assertEquals(400, e.statusCode());
        assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode());
        assertNotNull(e.requestId());
        assertEquals("User: arn:aws:sts::000000000000:assumed-role/CaptureRole/local is not authorized to perform:"
                + " dynamodb:DeleteItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/orderflow because no"
                + " identity-based policy allows the dynamodb:DeleteItem action", e.awsErrorDetails().errorMessage());
        assertEquals(before + 1, capture.denied(), "the SDK does not retry an access denial");

        assertDenied(() -> asCapture.scan(b -> b.tableName(TABLE)), "dynamodb:Scan");
        assertDenied(() -> asCapture.createTable(TableLayout.createTableRequest("new_table")), "dynamodb:CreateTable");
        assertDenied(() -> asCapture.putItem(b -> b.tableName("other").item(KEY)), "table/other ");
        assertDenied(() -> asCapture.listTables(), "dynamodb:ListTables on resource: *");
    }

    @Test
    void shouldLetTheQueryFunctionReadButNotWrite() {
        asQuery.describeTable(b -> b.tableName(TABLE));
        asQuery.query(b -> b.tableName(TABLE).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("nothing"))));
        asQuery.getItem(b -> b.tableName(TABLE).key(KEY));
        assertDenied(() -> asQuery.putItem(b -> b.tableName(TABLE).item(KEY)), "dynamodb:PutItem");
        assertDenied(() -> asQuery.query(b -> b.tableName("other").keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("k")))), "table/other ");
    }

    @Test
    void shouldApplyADenyAndItsLiftingFromTheNextCallOn() {
        IamFront front = IamFront.forRole(db.endpoint(), TEMPLATE, IamPolicy.QUERY_FUNCTION, TABLE);
        try (DynamoDbClient client = client(front.endpoint())) {
            client.getItem(b -> b.tableName(TABLE).key(KEY));
            front.deny("dynamodb:GetItem");
            assertDenied(() -> client.getItem(b -> b.tableName(TABLE).key(KEY)), "with an explicit deny");
            client.query(b -> b.tableName(TABLE).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("k"))));
            front.allow("dynamodb:GetItem");
            client.getItem(b -> b.tableName(TABLE).key(KEY));
        } finally {
            front.close();
        }
    }

    @Test
    void shouldAnswerWithDynamoDbsContentTypeAndARequestId() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(capture.endpoint())
                .header("X-Amz-Target", "DynamoDB_20120810.Scan")
                .header("Content-Type", "application/x-amz-json-1.0")
                .POST(HttpRequest.BodyPublishers.ofString("{\"TableName\":\"orderflow\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, answer.statusCode());
        assertEquals("application/x-amz-json-1.0", answer.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(52, answer.headers().firstValue("x-amzn-RequestId").orElseThrow().length());
        assertTrue(answer.body().startsWith("{\"__type\":\"com.amazon.coral.service#AccessDeniedException\","
                + "\"Message\":\"User: arn:aws:sts::000000000000:assumed-role/CaptureRole/local is not authorized"),
                answer.body());
    }

    @Test
    void shouldLeaveWhatIsNotReplicatedYetOutOfEventuallyConsistentReadsOnly() {
        Map<String, AttributeValue> key = Map.of(TableLayout.PK, AttributeValue.fromS("lagging"),
                TableLayout.SK, AttributeValue.fromS("1"));
        Map<String, AttributeValue> older = Map.of(TableLayout.PK, AttributeValue.fromS("lagging"),
                TableLayout.SK, AttributeValue.fromS("0"));
        asCapture.putItem(b -> b.tableName(TABLE).item(older)); // before the lag: replicated
        StaleReads reads = new StaleReads(Duration.ofSeconds(10), TableLayout.PK, TableLayout.SK);
        capture.staleReads(reads);
        query.staleReads(reads);
        try {
            asCapture.putItem(b -> b.tableName(TABLE).item(key));
            QueryRequest all = QueryRequest.builder().tableName(TABLE).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("lagging"))).build();
            QueryResponse eventual = asQuery.query(all);
            assertEquals(List.of(older), eventual.items());
            assertEquals(1, eventual.count());
            assertFalse(asQuery.getItem(b -> b.tableName(TABLE).key(key)).hasItem());
            assertEquals(2, asQuery.query(all.toBuilder().consistentRead(true).build()).count());
            assertTrue(asQuery.getItem(b -> b.tableName(TABLE).key(key).consistentRead(true)).hasItem());
            await().atMost(Duration.ofSeconds(40)).until(() -> asQuery.query(all).count() == 2);
            assertTrue(asQuery.getItem(b -> b.tableName(TABLE).key(key)).hasItem());
        } finally {
            capture.staleReads(null);
            query.staleReads(null);
        }
    }

    private static void assertDenied(Runnable call, String messagePart) {
        AwsServiceException e = assertThrows(AwsServiceException.class, call::run);
        assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode(), e.getMessage());
        assertEquals(400, e.statusCode());
        assertTrue(e.awsErrorDetails().errorMessage().contains(messagePart), e.awsErrorDetails().errorMessage());
    }

    private static DynamoDbClient client(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
