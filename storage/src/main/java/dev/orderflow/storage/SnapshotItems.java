package dev.orderflow.storage;

import static dev.orderflow.storage.Attributes.putIfPresent;
import static dev.orderflow.storage.Attributes.string;
import static dev.orderflow.storage.TableLayout.PAYLOAD;
import static dev.orderflow.storage.TableLayout.PK;
import static dev.orderflow.storage.TableLayout.SK;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.orderflow.storage.book.Verdict;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The table's order book snapshots ({@link SnapshotRecord}), the item beside each ({@link SnapshotMeta}) and its
 * verdict: their keys and items, written and read here only.
 *
 * <p>Order book snapshots: {@code pk = "<pair>#snapshots"}, {@code sk = "<book microtimestamp, 16 digits>#<part, 3
 * digits>"}, attributes {@code received} (µs), {@code reason}, {@code parts} (how many items hold this snapshot) and
 * {@code z}: the REST body as JSON, raw-deflated, cut into parts of at most 350,000 bytes in part order. Beside
 * each snapshot, written after its parts: {@code pk = "<pair>#snapshots#meta"}, {@code sk = "<book microtimestamp,
 * 16 digits>"}, attributes {@code received}, {@code reason}, {@code parts}, {@code bids}/{@code asks} (orders per
 * side) and, once checked ({@link dev.orderflow.storage.book.Verdict}), {@code verdict}, {@code against},
 * {@code missing}, {@code extra}, {@code differing}, {@code queue_levels}, {@code events_applied},
 * {@code differences} (JSON), {@code verdict_detail}, {@code checked}. Tables written before this item existed
 * have none: readers fall back to the parts.
 */
public final class SnapshotItems {
    public static final String SNAPSHOT_RECEIVED = "received";
    public static final String SNAPSHOT_REASON = "reason";
    public static final String SNAPSHOT_PARTS = "parts";
    static final int SNAPSHOT_PART_BYTES = 350_000;
    public static final String META_BIDS = "bids";
    public static final String META_ASKS = "asks";
    public static final String VERDICT = "verdict";
    public static final String VERDICT_AGAINST = "against";
    public static final String VERDICT_MISSING = "missing";
    public static final String VERDICT_EXTRA = "extra";
    public static final String VERDICT_DIFFERING = "differing";
    public static final String VERDICT_QUEUE_LEVELS = "queue_levels";
    public static final String VERDICT_EVENTS = "events_applied";
    public static final String VERDICT_DIFFERENCES = "differences";
    public static final String VERDICT_DETAIL = "verdict_detail";
    public static final String VERDICT_CHECKED = "checked";

    /** What a snapshot's part keys, and the keys of the items beside snapshots, add to the pair. */
    private static final String SUFFIX = "#snapshots";
    private static final String META_SUFFIX = SUFFIX + "#meta";

    private SnapshotItems() {
    }

    public static String snapshotsPk(String pair) {
        return pair + SUFFIX;
    }

    public static String snapshotSk(long microtimestamp, int part) {
        return String.format(Locale.ROOT, "%016d#%03d", microtimestamp, part);
    }

    public static String snapshotMetaPk(String pair) {
        return pair + META_SUFFIX;
    }

    public static String snapshotMetaSk(long microtimestamp) {
        return String.format(Locale.ROOT, "%016d", microtimestamp);
    }

    /**
     * The items that hold one snapshot: its parts (usually one; a very large book spans several), then the item
     * beside it ({@link SnapshotMeta}), last, so that a reader finding the metadata finds every part written before.
     */
    public static List<Map<String, AttributeValue>> toItems(SnapshotRecord snapshot) {
        byte[] z = Deflate.deflate(Frames.toJson(snapshot.body()).getBytes(StandardCharsets.UTF_8));
        int parts = Math.max(1, (z.length + SNAPSHOT_PART_BYTES - 1) / SNAPSHOT_PART_BYTES);
        List<Map<String, AttributeValue>> items = new ArrayList<>(parts + 1);
        for (int part = 0; part < parts; part++) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(PK, AttributeValue.fromS(snapshotsPk(snapshot.pair())));
            item.put(SK, AttributeValue.fromS(snapshotSk(snapshot.microtimestamp(), part)));
            item.put(SNAPSHOT_RECEIVED, AttributeValue.fromN(Long.toString(snapshot.receivedMicros())));
            item.put(SNAPSHOT_REASON, AttributeValue.fromS(snapshot.reason()));
            item.put(SNAPSHOT_PARTS, AttributeValue.fromN(Integer.toString(parts)));
            int from = part * SNAPSHOT_PART_BYTES;
            int to = Math.min(z.length, from + SNAPSHOT_PART_BYTES);
            item.put(PAYLOAD, AttributeValue.fromB(SdkBytes.fromByteArray(Arrays.copyOfRange(z, from, to))));
            items.add(item);
        }
        items.add(toItem(SnapshotMeta.of(snapshot, parts)));
        return items;
    }

    /** The item stored beside a snapshot (without a verdict: {@link #verdictAttributes} adds it later). */
    public static Map<String, AttributeValue> toItem(SnapshotMeta meta) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, AttributeValue.fromS(snapshotMetaPk(meta.pair())));
        item.put(SK, AttributeValue.fromS(snapshotMetaSk(meta.microtimestamp())));
        item.put(SNAPSHOT_RECEIVED, number(meta.receivedMicros()));
        item.put(SNAPSHOT_REASON, AttributeValue.fromS(meta.reason()));
        item.put(SNAPSHOT_PARTS, number(meta.parts()));
        item.put(META_BIDS, number(meta.bidOrders()));
        item.put(META_ASKS, number(meta.askOrders()));
        if (meta.verdict() != null) {
            item.putAll(verdictAttributes(meta.verdict()));
        }
        return item;
    }

    /** A verdict's attributes on the item beside its snapshot. */
    public static Map<String, AttributeValue> verdictAttributes(Verdict v) {
        Map<String, AttributeValue> a = new HashMap<>();
        a.put(VERDICT, AttributeValue.fromS(v.status().apiName()));
        if (v.againstMicros() != null) {
            a.put(VERDICT_AGAINST, number(v.againstMicros()));
        }
        a.put(VERDICT_MISSING, number(v.missing()));
        a.put(VERDICT_EXTRA, number(v.extra()));
        a.put(VERDICT_DIFFERING, number(v.differing()));
        a.put(VERDICT_QUEUE_LEVELS, number(v.queueLevels()));
        a.put(VERDICT_EVENTS, number(v.eventsApplied()));
        a.put(VERDICT_DIFFERENCES, AttributeValue.fromS(Frames.toJson(v.differencesJson())));
        putIfPresent(a, VERDICT_DETAIL, v.detail());
        a.put(VERDICT_CHECKED, number(v.checkedMicros()));
        return a;
    }

    /** The metadata an item beside a snapshot holds. */
    public static SnapshotMeta metaFromItem(Map<String, AttributeValue> item) {
        String pk = item.get(PK).s();
        Verdict verdict = null;
        String status = string(item, VERDICT);
        if (status != null) {
            AttributeValue against = item.get(VERDICT_AGAINST);
            verdict = new Verdict(Verdict.Status.fromApiName(status).orElse(Verdict.Status.NOT_CHECKED),
                    against == null ? null : Long.valueOf(against.n()), intOf(item, VERDICT_MISSING),
                    intOf(item, VERDICT_EXTRA), intOf(item, VERDICT_DIFFERING), intOf(item, VERDICT_QUEUE_LEVELS),
                    intOf(item, VERDICT_EVENTS), Verdict.differencesFromJson(string(item, VERDICT_DIFFERENCES)),
                    string(item, VERDICT_DETAIL), longOf(item, VERDICT_CHECKED));
        }
        return new SnapshotMeta(pk.substring(0, pk.length() - META_SUFFIX.length()),
                Long.parseLong(item.get(SK).s()), longOf(item, SNAPSHOT_RECEIVED), string(item, SNAPSHOT_REASON),
                intOf(item, SNAPSHOT_PARTS), intOf(item, META_BIDS), intOf(item, META_ASKS), verdict);
    }

    /** Rebuilds a snapshot from all its part items, in part order (an item beside it among them is left out). */
    public static SnapshotRecord snapshotFromItems(List<Map<String, AttributeValue>> all) {
        List<Map<String, AttributeValue>> items = all.stream()
                .filter(i -> i.get(PK).s().endsWith(SUFFIX)).toList();
        Map<String, AttributeValue> first = items.get(0);
        int parts = Integer.parseInt(first.get(SNAPSHOT_PARTS).n());
        if (items.size() != parts) {
            throw new IllegalArgumentException("snapshot has " + parts + " parts, got " + items.size());
        }
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        for (Map<String, AttributeValue> item : items) {
            z.writeBytes(item.get(PAYLOAD).b().asByteArrayUnsafe());
        }
        String pk = first.get(PK).s();
        String sk = first.get(SK).s();
        try {
            return new SnapshotRecord(pk.substring(0, pk.length() - SUFFIX.length()),
                    Long.parseLong(sk.substring(0, sk.indexOf('#'))),
                    Long.parseLong(first.get(SNAPSHOT_RECEIVED).n()),
                    first.get(SNAPSHOT_REASON).s(),
                    Frames.parse(Deflate.inflate(z.toByteArray())));
        } catch (IOException e) {
            throw new IllegalArgumentException("snapshot body is not a JSON object", e);
        }
    }

    private static AttributeValue number(long n) {
        return AttributeValue.fromN(Long.toString(n));
    }

    private static int intOf(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Integer.parseInt(v.n());
    }

    private static long longOf(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }
}
