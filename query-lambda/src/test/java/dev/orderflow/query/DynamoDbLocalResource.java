package dev.orderflow.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB Local on a free port, with the table created by {@link TableLayout#createTableRequest} and filled with
 * {@link Fixtures} through the real storage format. Hands the app the endpoint of an IAM front that enforces the
 * query function's policy of template.yaml, static credentials and the table name.
 */
public class DynamoDbLocalResource implements QuarkusTestResourceLifecycleManager {
    public static final String TABLE = "orderflow-test";

    private DynamoDbLocal db;
    private IamFront front;

    @Override
    public Map<String, String> start() {
        db = DynamoDbLocal.start(0, null);
        try (DynamoDbClient client = LocalTables.client(db.endpoint())) {
            client.createTable(TableLayout.createTableRequest(TABLE));
            Fixtures fixtures = Fixtures.get();
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            for (Chunk chunk : fixtures.chunks()) {
                items.add(TableLayout.toItem(chunk));
            }
            for (GapRecord gap : fixtures.gaps()) {
                items.add(TableLayout.toItem(gap));
            }
            items.addAll(fixtures.catalogItems());
            LocalTables.write(client, TABLE, items);
        }
        front = LocalTables.queryFront(db.endpoint(), TABLE);
        return LocalTables.config(front, db.endpoint(), TABLE);
    }

    @Override
    public void stop() {
        if (front != null) {
            front.close();
        }
        if (db != null) {
            db.close();
        }
    }
}
