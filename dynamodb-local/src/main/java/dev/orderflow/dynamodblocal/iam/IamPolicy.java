package dev.orderflow.dynamodblocal.iam;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The DynamoDB part of one role's identity-based policy, evaluated as IAM does for the requests the front sees:
 * an explicit {@code Deny} wins, then any {@code Allow}, and anything else is denied implicitly. Actions match
 * case-insensitively, resources case-sensitively, both with IAM's {@code *} and {@code ?} wildcards.
 * Conditions, {@code NotAction} and {@code NotResource} are not modelled: a statement that uses them on DynamoDB
 * actions is refused when the policy is read, so that the front never grants more than AWS would.
 *
 * @param role       the role's name in messages ({@code assumed-role/<role>/<session>})
 * @param account    the account id in ARNs
 * @param region     the region in ARNs
 * @param statements in order; statements on other services are left out
 */
public record IamPolicy(String role, String account, String region, List<Statement> statements) {
    /** The account id DynamoDB Local itself puts in its ARNs. */
    public static final String LOCAL_ACCOUNT = "000000000000";
    /** The region the local clients sign for. */
    public static final String LOCAL_REGION = "us-east-1";
    /** template.yaml's role of the capture host. */
    public static final String CAPTURE_ROLE = "CaptureRole";
    /** template.yaml's query function (SAM names its role {@code QueryFunctionRole}). */
    public static final String QUERY_FUNCTION = "QueryFunction";

    /** The actions of SAM's policy templates for DynamoDB, on the table and its indexes (SAM's policy_templates.json). */
    private static final Map<String, List<String>> SAM_TABLE_TEMPLATES = Map.of(
            "DynamoDBReadPolicy", List.of("dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query",
                    "dynamodb:BatchGetItem", "dynamodb:DescribeTable"),
            "DynamoDBCrudPolicy", List.of("dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem",
                    "dynamodb:Scan", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem",
                    "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"));

    /** One statement, its action and resource patterns as written (resources already resolved to ARNs). */
    public record Statement(boolean allow, List<String> actions, List<String> resources) {
        public Statement {
            actions = List.copyOf(actions);
            resources = List.copyOf(resources);
        }

        boolean matches(String action, String resource) {
            return actions.stream().anyMatch(a -> wildcard(a, true).matcher(action).matches())
                    && resources.stream().anyMatch(r -> wildcard(r, false).matcher(resource).matches());
        }
    }

    /** What IAM decides for one action on one resource. */
    public enum Decision {
        ALLOW, IMPLICIT_DENY, EXPLICIT_DENY
    }

    public IamPolicy {
        statements = List.copyOf(statements);
    }

    public Decision decide(String action, String resource) {
        boolean allowed = false;
        for (Statement s : statements) {
            if (s.matches(action, resource)) {
                if (!s.allow()) {
                    return Decision.EXPLICIT_DENY;
                }
                allowed = true;
            }
        }
        return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
    }

    /** This policy with an explicit deny of {@code actions} on every resource added. */
    public IamPolicy withDeny(String... actions) {
        List<Statement> all = new ArrayList<>(statements);
        all.add(new Statement(false, List.of(actions), List.of("*")));
        return new IamPolicy(role, account, region, all);
    }

    /**
     * This policy with {@code actions} taken out of every {@code Deny} statement and granted on every resource
     * (a statement left with no action is dropped): undoes {@link #withDeny}, and can grant what the template
     * does not.
     */
    public IamPolicy withAllow(String... actions) {
        List<String> lifted = List.of(actions);
        List<Statement> all = new ArrayList<>();
        for (Statement s : statements) {
            if (s.allow()) {
                all.add(s);
                continue;
            }
            List<String> left = s.actions().stream().filter(a -> lifted.stream().noneMatch(a::equalsIgnoreCase)).toList();
            if (!left.isEmpty()) {
                all.add(new Statement(false, left, s.resources()));
            }
        }
        all.add(new Statement(true, lifted, List.of("*")));
        return new IamPolicy(role, account, region, all);
    }

    /** {@code arn:aws:dynamodb:<region>:<account>:table/<name>} */
    public String tableArn(String table) {
        return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + table;
    }

    /** {@code arn:aws:dynamodb:<region>:<account>:table/<name>/index/<index>} */
    public String indexArn(String table, String index) {
        return tableArn(table) + "/index/" + index;
    }

    /** The caller as DynamoDB names it in an access-denied message. */
    public String principal() {
        return "arn:aws:sts::" + account + ":assumed-role/" + role + "/local";
    }

    /**
     * The DynamoDB grants of one role of a CloudFormation/SAM template, as deployed with its one DynamoDB table
     * named {@code tableName}: the inline {@code Policies} of an {@code AWS::IAM::Role}, or the {@code Policies} of
     * an {@code AWS::Serverless::Function} (inline statements and SAM's {@code DynamoDBReadPolicy} and
     * {@code DynamoDBCrudPolicy} templates). Parameters take their defaults. Managed policies are not read (the
     * template's tests allow none that touch DynamoDB).
     *
     * @param logicalId an {@code AWS::IAM::Role} or {@code AWS::Serverless::Function} of the template
     * @throws IllegalArgumentException if the role or its DynamoDB statements cannot be read exactly
     */
    public static IamPolicy fromTemplate(Path template, String logicalId, String tableName, String region,
                                         String account) {
        CfnTemplate cfn = CfnTemplate.load(template);
        Object resource = cfn.resources().get(logicalId);
        if (resource == null) {
            throw new IllegalArgumentException(template + " has no resource " + logicalId);
        }
        Map<String, Object> r = CfnTemplate.map(resource);
        Map<String, Object> properties = r.get("Properties") == null ? Map.of() : CfnTemplate.map(r.get("Properties"));
        Map<String, String> parameters = cfn.parameterValues(Map.of());
        Map<String, String> names = names(cfn, tableName, region, account, parameters);
        IamPolicy empty = new IamPolicy(logicalId, account, region, List.of());
        List<Statement> statements = new ArrayList<>();
        String type = String.valueOf(r.get("Type"));
        switch (type) {
            case "AWS::IAM::Role" -> {
                for (Object policy : CfnTemplate.list(properties.get("Policies"))) {
                    Map<String, Object> document = CfnTemplate.map(CfnTemplate.map(policy).get("PolicyDocument"));
                    for (Object statement : CfnTemplate.list(document.get("Statement"))) {
                        read(cfn, CfnTemplate.map(statement), names, parameters, logicalId).ifPresent(statements::add);
                    }
                }
            }
            case "AWS::Serverless::Function" -> {
                empty = new IamPolicy(logicalId + "Role", account, region, List.of());
                for (Object policy : CfnTemplate.list(cfn.evaluate(properties.get("Policies"), parameters))) {
                    if (!(policy instanceof Map<?, ?>)) {
                        continue; // a managed policy by name or ARN
                    }
                    Map<String, Object> p = CfnTemplate.map(policy);
                    if (p.containsKey("Statement")) {
                        for (Object statement : CfnTemplate.list(p.get("Statement"))) {
                            read(cfn, CfnTemplate.map(statement), names, parameters, logicalId)
                                    .ifPresent(statements::add);
                        }
                        continue;
                    }
                    p.forEach((name, arguments) -> {
                        List<String> actions = SAM_TABLE_TEMPLATES.get(name);
                        if (actions == null) {
                            if (name.startsWith("DynamoDB")) {
                                throw new IllegalArgumentException(logicalId + ": SAM policy template " + name
                                        + " is not modelled by the IAM front");
                            }
                            return;
                        }
                        String table = cfn.resolve(CfnTemplate.map(arguments).get("TableName"), names, parameters);
                        String arn = "arn:aws:dynamodb:" + region + ":" + account + ":table/" + table;
                        statements.add(new Statement(true, actions, List.of(arn, arn + "/index/*")));
                    });
                }
            }
            default -> throw new IllegalArgumentException(logicalId + " is a " + type
                    + ", neither an AWS::IAM::Role nor an AWS::Serverless::Function");
        }
        return new IamPolicy(empty.role(), account, region, statements);
    }

    /** The values a DynamoDB statement may refer to, as they are locally. */
    private static Map<String, String> names(CfnTemplate cfn, String tableName, String region, String account,
                                             Map<String, String> parameters) {
        Map<String, String> names = new LinkedHashMap<>(parameters);
        names.put("AWS::Region", region);
        names.put("AWS::AccountId", account);
        names.put("AWS::Partition", "aws");
        names.put("AWS::URLSuffix", "amazonaws.com");
        names.put("AWS::StackName", "local");
        String table = cfn.onlyResourceOfType("AWS::DynamoDB::Table");
        names.put(table, tableName);
        names.put(table + ".Arn", "arn:aws:dynamodb:" + region + ":" + account + ":table/" + tableName);
        return names;
    }

    /** A statement on DynamoDB actions, resolved; empty for a statement on other services only. */
    private static java.util.Optional<Statement> read(CfnTemplate cfn, Map<String, Object> statement,
                                                      Map<String, String> names, Map<String, String> parameters,
                                                      String owner) {
        List<String> actions = CfnTemplate.list(statement.get("Action")).stream().map(String::valueOf).toList();
        boolean dynamoDb = actions.stream().anyMatch(a -> a.equals("*")
                || a.toLowerCase(Locale.ROOT).startsWith("dynamodb:"));
        if (statement.containsKey("NotAction") || statement.containsKey("NotResource")) {
            throw new IllegalArgumentException(owner + ": NotAction/NotResource is not modelled by the IAM front");
        }
        if (!dynamoDb) {
            return java.util.Optional.empty();
        }
        if (statement.containsKey("Condition")) {
            throw new IllegalArgumentException(owner + ": a Condition on DynamoDB actions is not modelled by the IAM front");
        }
        List<String> resources = new ArrayList<>();
        for (Object resource : CfnTemplate.list(cfn.evaluate(statement.get("Resource"), parameters))) {
            resources.add(cfn.resolve(resource, names, parameters));
        }
        String effect = String.valueOf(statement.get("Effect"));
        if (!effect.equals("Allow") && !effect.equals("Deny")) {
            throw new IllegalArgumentException(owner + ": Effect " + effect);
        }
        return java.util.Optional.of(new Statement(effect.equals("Allow"), actions, resources));
    }

    /** IAM's wildcards: {@code *} any run of characters, {@code ?} one character; actions ignore case. */
    static Pattern wildcard(String pattern, boolean ignoreCase) {
        return PATTERNS.computeIfAbsent((ignoreCase ? "i:" : "s:") + pattern, k -> compile(pattern, ignoreCase));
    }

    private static final Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Pattern compile(String pattern, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
    }
}
