package dev.orderflow.pipeline;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * The environment that points both applications at a local DynamoDB (the variables of the team's runtime
 * contract): table name, endpoint, static credentials and region. The applications never reach DynamoDB Local
 * directly: each talks to an {@link IamFront} that enforces its role's policy from template.yaml
 * ({@link #front}), and the table is created here, as the template creates it in AWS ({@link #createTable}).
 */
public final class LocalAws {
    public static final URI DEFAULT_DYNAMODB = URI.create("http://127.0.0.1:8000");
    public static final String DEFAULT_TABLE = "orderflow";
    /** The archiver's function in template.yaml, whose policy the local archiver runs under. */
    public static final String ARCHIVE_ROLE = "ArchiveFunction";
    /** A cursor key made for this launcher process: cursors stay valid while it runs, and only then. */
    public static final String CURSOR_KEY = randomKey();

    private LocalAws() {
    }

    public static Map<String, String> dynamoDb(URI endpoint, String table) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ORDERFLOW_TABLE", table);
        env.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", endpoint.toString());
        env.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_TYPE", "static");
        env.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", "local");
        env.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", "local");
        env.put("QUARKUS_DYNAMODB_AWS_REGION", "us-east-1");
        // plain-text logs for a terminal; the applications log JSON in production
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        return env;
    }

    /**
     * {@link #dynamoDb} plus what the query function needs besides: the key that signs its cursors
     * ({@code ORDERFLOW_CURSOR_KEY}), the environment's if set, else {@link #CURSOR_KEY}, so that every function
     * process this launcher starts accepts the others' cursors. The packaged function runs in the prod profile,
     * which refuses to start with the built-in development key.
     */
    public static Map<String, String> queryFunction(URI endpoint, String table) {
        Map<String, String> env = dynamoDb(endpoint, table);
        String key = System.getenv("ORDERFLOW_CURSOR_KEY");
        env.put("ORDERFLOW_CURSOR_KEY", key != null && !key.isBlank() ? key : CURSOR_KEY);
        return env;
    }

    /**
     * An IAM front on a free port in front of {@code dynamoDb} for one role of the repository's template.yaml
     * ({@link IamPolicy#CAPTURE_ROLE}, {@link IamPolicy#QUERY_FUNCTION}) and the local name of its table.
     */
    public static IamFront front(Home home, URI dynamoDb, String role, String table) {
        return IamFront.forRole(dynamoDb, home.template(), role, table);
    }

    /**
     * Creates the table with the pipeline's keys unless it exists, directly in the local DynamoDB (the roles may
     * not: in AWS the template owns the table), and waits until it is active.
     */
    public static void createTable(URI dynamoDb, String table) {
        try (DynamoDbClient client = DynamoDbClient.builder()
                .endpointOverride(dynamoDb)
                .region(Region.of(IamPolicy.LOCAL_REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            try {
                client.describeTable(b -> b.tableName(table));
                return;
            } catch (ResourceNotFoundException missing) {
                try {
                    client.createTable(TableLayout.createTableRequest(table));
                } catch (ResourceInUseException beingCreated) {
                    // someone else is creating it: wait below
                }
            }
            client.waiter().waitUntilTableExists(b -> b.tableName(table));
        } catch (SdkClientException unreachable) {
            throw new LaunchException("no DynamoDB answers at " + dynamoDb + " (" + unreachable.getMessage()
                    + "): start it first, e.g. ./pipeline dynamodb");
        }
    }

    /** A plain SDK client of a local DynamoDB (or of an IAM front before it), with the local credentials. */
    public static DynamoDbClient client(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(IamPolicy.LOCAL_REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static String randomKey() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /**
     * Drops the entries the launcher's own environment sets, so that a child started by a single-component
     * command ({@code capture}, {@code api}) takes the user's values.
     */
    public static Map<String, String> unlessSet(Map<String, String> defaults) {
        Map<String, String> env = new LinkedHashMap<>(defaults);
        env.keySet().removeIf(key -> System.getenv(key) != null);
        return env;
    }

    /** The DynamoDB endpoint a single-component command uses: the environment's, else {@link #DEFAULT_DYNAMODB}. */
    public static URI endpointFromEnv() {
        String value = System.getenv("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE");
        return value == null || value.isBlank() ? DEFAULT_DYNAMODB : URI.create(value);
    }

    /** The table a single-component command uses: {@code ORDERFLOW_TABLE}, else {@link #DEFAULT_TABLE}. */
    public static String tableFromEnv() {
        String value = System.getenv("ORDERFLOW_TABLE");
        return value == null || value.isBlank() ? DEFAULT_TABLE : value;
    }
}
