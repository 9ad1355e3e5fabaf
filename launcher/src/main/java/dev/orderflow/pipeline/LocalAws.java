package dev.orderflow.pipeline;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment that points both applications at a local DynamoDB (the variables of the team's runtime
 * contract): table name, endpoint, static credentials and region.
 */
public final class LocalAws {
    public static final URI DEFAULT_DYNAMODB = URI.create("http://127.0.0.1:8000");
    public static final String DEFAULT_TABLE = "orderflow";

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
