package dev.orderflow.query;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.StaleReads;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB Local on a free port, with the table created by {@link TableLayout#createTableRequest} and filled with
 * {@link Fixtures} through the real storage format. Hands the app the endpoint of an IAM front that enforces the
 * query function's policy of template.yaml, static credentials and the table name. With the init argument
 * {@value #STALE_READS_LAG} (an ISO-8601 duration), eventually consistent reads lag as DynamoDB's replicas do
 * ({@link StaleReads}) behind what tests write through the capture role's front ({@link LocalTables#asCapture()}).
 */
public class DynamoDbLocalResource implements QuarkusTestResourceLifecycleManager {
    public static final String TABLE = "orderflow-test";
    public static final String STALE_READS_LAG = "stale-reads-lag";

    private DynamoDbLocal db;
    private IamFront front;
    private IamFront captureFront;
    private Duration lag;

    @Override
    public void init(Map<String, String> initArgs) {
        String given = initArgs.get(STALE_READS_LAG);
        lag = given == null ? null : Duration.parse(given);
    }

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
                items.add(GapItems.toItem(gap));
            }
            items.addAll(fixtures.catalogItems());
            LocalTables.write(client, TABLE, items);
        }
        front = LocalTables.queryFront(db.endpoint(), TABLE);
        Map<String, String> config = new HashMap<>(LocalTables.config(front, db.endpoint(), TABLE));
        if (lag != null) {
            StaleReads reads = new StaleReads(lag, TableLayout.PK, TableLayout.SK);
            captureFront = LocalTables.captureFront(db.endpoint(), TABLE);
            captureFront.staleReads(reads);
            front.staleReads(reads);
            config.put(LocalTables.CAPTURE_ENDPOINT, captureFront.endpoint().toString());
        }
        return config;
    }

    @Override
    public void stop() {
        if (captureFront != null) {
            captureFront.close();
        }
        if (front != null) {
            front.close();
        }
        if (db != null) {
            db.close();
        }
    }
}
