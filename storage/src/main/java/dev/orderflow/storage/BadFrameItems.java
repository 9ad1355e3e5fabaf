package dev.orderflow.storage;

import static dev.orderflow.storage.TableLayout.PK;
import static dev.orderflow.storage.TableLayout.SK;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The table's bad frames: their keys and items, written here only.
 *
 * <p>Bad frames (kept aside, never dropped): {@code pk = "bad#<yyyy-MM-dd of receipt, UTC>"},
 * {@code sk = "<received µs, 16 digits>#<digest, 6 digits>"} (the digest: CRC-32 of the frame's text, modulo 10^6, so
 * that a frame written again after a restart, from the journal, lands on its own item instead of a second one),
 * attributes {@code raw} (the frame text as received, in pieces when long: {@link #badFrameItems}) and
 * {@code reason}.
 */
public final class BadFrameItems {
    public static final String BAD_RAW = "raw";
    public static final String BAD_REASON = "reason";
    public static final String BAD_TRUNCATED = "truncated";
    public static final String BAD_PIECE = "piece";
    public static final String BAD_PIECES = "pieces";
    static final int BAD_RAW_MAX_CHARS = 80_000; // at most 4 bytes a character: under TableLayout.MAX_ITEM_BYTES

    private BadFrameItems() {
    }

    public static String badFramesPk(long receivedMicros) {
        return "bad#" + java.time.LocalDate.ofInstant(
                java.time.Instant.ofEpochSecond(Math.floorDiv(receivedMicros, 1_000_000L)), java.time.ZoneOffset.UTC);
    }

    /**
     * The items that keep a bad frame aside: one, or several pieces of at most {@value #BAD_RAW_MAX_CHARS}
     * characters when it is longer (sort keys {@code <received>#<seq>#<piece>}, attributes {@code piece},
     * {@code pieces}), so that no item passes DynamoDB's size limit.
     */
    public static List<Map<String, AttributeValue>> badFrameItems(long receivedMicros, String raw, String reason) {
        int pieces = Math.max(1, (raw.length() + BAD_RAW_MAX_CHARS - 1) / BAD_RAW_MAX_CHARS);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        java.util.zip.CRC32 digest = new java.util.zip.CRC32();
        digest.update(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String sk = String.format(Locale.ROOT, "%016d#%06d", receivedMicros, digest.getValue() % 1_000_000);
        for (int i = 0; i < pieces; i++) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(PK, AttributeValue.fromS(badFramesPk(receivedMicros)));
            item.put(SK, AttributeValue.fromS(pieces == 1 ? sk : sk + String.format(Locale.ROOT, "#%03d", i)));
            String piece = raw.substring(i * BAD_RAW_MAX_CHARS, Math.min(raw.length(), (i + 1) * BAD_RAW_MAX_CHARS));
            item.put(BAD_RAW, AttributeValue.fromS(piece.isEmpty() ? " " : piece));
            item.put(BAD_REASON, AttributeValue.fromS(reason));
            if (pieces > 1) {
                item.put(BAD_PIECE, AttributeValue.fromN(Integer.toString(i)));
                item.put(BAD_PIECES, AttributeValue.fromN(Integer.toString(pieces)));
            }
            items.add(item);
        }
        return items;
    }
}
