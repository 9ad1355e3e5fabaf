package dev.orderflow.storage.book;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Frames;
import dev.orderflow.storage.Side;

/**
 * What a stored snapshot says about the rebuild that leads to it: the book rebuilt from the previous complete
 * snapshot ({@code againstMicros}) and the stored events up to this snapshot's stamp, compared order by order with
 * this snapshot.
 *
 * @param status        {@code certified} (equal, queue order too), {@code contradicted} (see the counts and
 *                      {@code differences}) or {@code not_checked} ({@code detail} says why)
 * @param againstMicros the previous snapshot's stamp, or {@code null} when there was none to check
 * @param missing       orders the snapshot holds and the rebuild does not
 * @param extra         orders the rebuild holds and the snapshot does not
 * @param differing     orders both hold with another side, price or amount
 * @param queueLevels   price levels whose common orders stand in another queue order
 * @param eventsApplied stored events the rebuild applied
 * @param differences   the first {@value Certification#MAX_DIFFERENCES} differences, order by order
 * @param detail        why it was not checked, or {@code null}
 * @param checkedMicros when the check ran (µs)
 */
public record Verdict(Status status, Long againstMicros, int missing, int extra, int differing, int queueLevels,
        int eventsApplied, List<Difference> differences, String detail, long checkedMicros) {

    public enum Status {
        CERTIFIED("certified"), CONTRADICTED("contradicted"), NOT_CHECKED("not_checked");

        private final String apiName;

        Status(String apiName) {
            this.apiName = apiName;
        }

        public String apiName() {
            return apiName;
        }

        public static Optional<Status> fromApiName(String name) {
            for (Status s : values()) {
                if (s.apiName.equals(name)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One order that differs. {@code kind}: {@code missing}, {@code extra}, {@code differs} or {@code queue_order}
     * (the first order out of place in its level). The snapshot's and the rebuild's price and amount, as the
     * exchange's strings ({@code null} where that side has no such order), and {@code eventMicros}: the stamp of the
     * last stored event that set the rebuilt order's state or took it out of the book (-1: none, it is as in the
     * previous snapshot). {@code /v1/events?order_id=} lists every event of the order.
     */
    public record Difference(String id, Side side, String kind, String snapshotPrice, String snapshotAmount,
            String rebuiltPrice, String rebuiltAmount, long eventMicros) {
    }

    public static Verdict notChecked(Long againstMicros, String detail, long nowMicros) {
        return new Verdict(Status.NOT_CHECKED, againstMicros, 0, 0, 0, 0, 0, List.of(), detail, nowMicros);
    }

    public boolean certified() {
        return status == Status.CERTIFIED;
    }

    /** The differences as a JSON array (the stored attribute and the API write the same objects). */
    public ArrayNode differencesJson() {
        ArrayNode array = Frames.MAPPER.createArrayNode();
        for (Difference d : differences) {
            ObjectNode o = array.addObject();
            o.put("id", d.id());
            o.put("side", d.side() == null ? null : d.side().apiName());
            o.put("kind", d.kind());
            o.put("snapshot_price", d.snapshotPrice());
            o.put("snapshot_amount", d.snapshotAmount());
            o.put("rebuilt_price", d.rebuiltPrice());
            o.put("rebuilt_amount", d.rebuiltAmount());
            if (d.eventMicros() < 0) {
                o.putNull("event_microtimestamp");
            } else {
                o.put("event_microtimestamp", d.eventMicros());
            }
        }
        return array;
    }

    /** Reads {@link #differencesJson()} back. */
    public static List<Difference> differencesFromJson(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            List<Difference> out = new ArrayList<>();
            for (JsonNode o : Frames.MAPPER.readTree(json)) {
                out.add(new Difference(text(o, "id"), Side.fromApiName(text(o, "side")).orElse(null),
                        text(o, "kind"), text(o, "snapshot_price"), text(o, "snapshot_amount"),
                        text(o, "rebuilt_price"), text(o, "rebuilt_amount"),
                        o.path("event_microtimestamp").isNumber() ? o.get("event_microtimestamp").asLong() : -1));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode o, String name) {
        JsonNode v = o.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }
}
