package dev.orderflow.dynamodblocal.iam;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DynamoDB's eventually consistent reads, which DynamoDB Local (one copy of each item) does not have: an item
 * written less than {@code lag} ago is not yet on the replica an eventually consistent read may hit, so such a read
 * ({@code GetItem}, {@code BatchGetItem}, {@code Query}, {@code Scan} without {@code ConsistentRead}) does not
 * return it. Strongly consistent reads see every write that succeeded before them.
 *
 * <p>Shared by the {@link IamFront}s of one test (what one role writes, another reads): every front it is given to
 * records the keys of the writes it forwards ({@code PutItem}, {@code UpdateItem}, {@code DeleteItem},
 * {@code BatchWriteItem}, {@code TransactWriteItems}) and takes them out of eventually consistent answers for
 * {@code lag}. Stricter than a real replica in one way: an item updated within the lag is left out, where a
 * replica would still give its previous version.
 */
public final class StaleReads {
    private final long lagNanos;
    private final List<String> keyNames;
    /** table, then the key's attribute values, to when the write was answered ({@link System#nanoTime()}). */
    private final Map<String, Long> written = new ConcurrentHashMap<>();

    /**
     * @param lag      how long a written item stays invisible to eventually consistent reads
     * @param keyNames the tables' key attribute names (partition key, then sort key if any)
     */
    public StaleReads(Duration lag, String... keyNames) {
        this.lagNanos = lag.toNanos();
        this.keyNames = List.of(keyNames);
    }

    /** Records the items a write the front forwarded (and DynamoDB accepted) touched. */
    void wrote(String operation, Map<?, ?> request) {
        long now = System.nanoTime();
        switch (operation) {
            case "PutItem" -> record(request.get("TableName"), request.get("Item"), now);
            case "UpdateItem", "DeleteItem" -> record(request.get("TableName"), request.get("Key"), now);
            case "BatchWriteItem" -> {
                if (request.get("RequestItems") instanceof Map<?, ?> tables) {
                    tables.forEach((table, writes) -> {
                        for (Object write : writes instanceof List<?> l ? l : List.of()) {
                            Map<?, ?> w = write instanceof Map<?, ?> m ? m : Map.of();
                            if (w.get("PutRequest") instanceof Map<?, ?> put) {
                                record(table, put.get("Item"), now);
                            } else if (w.get("DeleteRequest") instanceof Map<?, ?> delete) {
                                record(table, delete.get("Key"), now);
                            }
                        }
                    });
                }
            }
            case "TransactWriteItems" -> {
                for (Object item : request.get("TransactItems") instanceof List<?> l ? l : List.of()) {
                    if (item instanceof Map<?, ?> m) {
                        m.values().forEach(v -> {
                            if (v instanceof Map<?, ?> write) {
                                Object key = write.containsKey("Item") ? write.get("Item") : write.get("Key");
                                record(write.get("TableName"), key, now);
                            }
                        });
                    }
                }
            }
            default -> {
            }
        }
    }

    /**
     * The answer an eventually consistent read gives, from the one DynamoDB Local gave ({@code answer}, parsed):
     * without the items written within the lag. Null when the answer stands as it is.
     */
    Map<String, Object> answer(String operation, Map<?, ?> request, Map<?, ?> answer) {
        long now = System.nanoTime();
        Object table = request.get("TableName");
        switch (operation) {
            case "GetItem" -> {
                if (!consistent(request) && answer.get("Item") instanceof Map<?, ?> item && recent(table, item, now)) {
                    Map<String, Object> changed = copy(answer);
                    changed.remove("Item");
                    return changed;
                }
                return null;
            }
            case "Query", "Scan" -> {
                if (consistent(request) || !(answer.get("Items") instanceof List<?> items)) {
                    return null;
                }
                List<Object> kept = visible(table, items, now);
                if (kept.size() == items.size()) {
                    return null;
                }
                Map<String, Object> changed = copy(answer);
                changed.put("Items", kept);
                changed.put("Count", new RequestJson.Literal(Integer.toString(kept.size())));
                return changed;
            }
            case "BatchGetItem" -> {
                if (!(answer.get("Responses") instanceof Map<?, ?> responses)
                        || !(request.get("RequestItems") instanceof Map<?, ?> asked)) {
                    return null;
                }
                Map<String, Object> changedResponses = new LinkedHashMap<>();
                boolean changed = false;
                for (Map.Entry<?, ?> e : responses.entrySet()) {
                    Map<?, ?> tableRequest = asked.get(e.getKey()) instanceof Map<?, ?> m ? m : Map.of();
                    List<?> items = e.getValue() instanceof List<?> l ? l : List.of();
                    List<Object> kept = consistent(tableRequest) ? new ArrayList<>(items)
                            : visible(e.getKey(), items, now);
                    changed |= kept.size() != items.size();
                    changedResponses.put(String.valueOf(e.getKey()), kept);
                }
                if (!changed) {
                    return null;
                }
                Map<String, Object> result = copy(answer);
                result.put("Responses", changedResponses);
                return result;
            }
            default -> {
                return null;
            }
        }
    }

    private List<Object> visible(Object table, List<?> items, long now) {
        List<Object> kept = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> m && recent(table, m, now))) {
                kept.add(item);
            }
        }
        return kept;
    }

    private static boolean consistent(Map<?, ?> request) {
        return "true".equals(String.valueOf(request.get("ConsistentRead")));
    }

    private boolean recent(Object table, Map<?, ?> item, long now) {
        Long at = written.get(key(table, item));
        return at != null && now - at < lagNanos;
    }

    private void record(Object table, Object item, long now) {
        if (table != null && item instanceof Map<?, ?> m) {
            written.put(key(table, m), now);
        }
    }

    /** The table and the item's key attributes (type and value), as one string. */
    private String key(Object table, Map<?, ?> item) {
        StringBuilder key = new StringBuilder(String.valueOf(table));
        for (String name : keyNames) {
            key.append('\u0000');
            if (item.get(name) instanceof Map<?, ?> value) {
                value.forEach((type, v) -> key.append(type).append(':').append(v));
            }
        }
        return key.toString();
    }

    private static Map<String, Object> copy(Map<?, ?> answer) {
        Map<String, Object> copy = new LinkedHashMap<>();
        answer.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }
}
