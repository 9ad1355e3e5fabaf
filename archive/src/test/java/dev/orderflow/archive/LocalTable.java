package dev.orderflow.archive;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** DynamoDB Local with a table of the stored layout, for one test class, and clients of it. */
final class LocalTable implements AutoCloseable {
    private final DynamoDbLocal dynamo;
    /** A plain client. */
    final DynamoDbClient db;

    private LocalTable(DynamoDbLocal dynamo) {
        this.dynamo = dynamo;
        this.db = client();
    }

    /** Starts DynamoDB Local and creates {@code table} in it. */
    static LocalTable start(String table) {
        LocalTable local = new LocalTable(DynamoDbLocal.start(0, null));
        local.db.createTable(TableLayout.createTableRequest(table));
        return local;
    }

    /** A client that runs {@code interceptors} around each call (to watch what a reader asks). */
    DynamoDbClient client(ExecutionInterceptor... interceptors) {
        return DynamoDbClient.builder().endpointOverride(dynamo.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> {
                    for (ExecutionInterceptor interceptor : interceptors) {
                        c.addExecutionInterceptor(interceptor);
                    }
                }).build();
    }

    @Override
    public void close() {
        db.close();
        dynamo.close();
    }
}
