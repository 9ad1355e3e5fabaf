package dev.orderflow.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Reading a query's answer whole, page after page, through a caller's client (with its own retries). */
public final class Queries {
    private Queries() {
    }

    /** Every item {@code request} selects, in key order. */
    public static List<Map<String, AttributeValue>> all(Function<QueryRequest, QueryResponse> query,
            QueryRequest.Builder request) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = query.apply(request.exclusiveStartKey(start).build());
            items.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }
}
