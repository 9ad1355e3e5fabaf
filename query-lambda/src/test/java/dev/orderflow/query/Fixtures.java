package dev.orderflow.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;

/**
 * The data the API tests run against, built deterministically and written through the real storage format
 * ({@link TableLayout#toItem(Chunk)}): the recorded real frames of {@code ../shared/bitstamp-samples/} (when the
 * folder is there) and the project's own fixtures:
 * <ul>
 * <li>{@code btcusd} orders and trades over ten minutes from {@link #T0}, 2026-shaped frames, with a burst second
 * stored as two parts, odd frames (unknown fields, name clashes, huge ids), a chain break and a disconnect, and
 * writes confirmed only up to {@code T0 + 9 min};</li>
 * <li>{@code ltcusd} trades over six minutes from {@link #T1}, for the hand-computed candles;</li>
 * <li>{@code xrpusd} orders with 12 KB frames from {@link #T2}, to exceed a page's byte budget.</li>
 * </ul>
 */
public final class Fixtures {
    public static final long SECOND = 1_000_000L;
    public static final long MINUTE = 60 * SECOND;
    /** 2031-01-01T10:00:00Z. */
    public static final long T0 = micros("2031-01-01T10:00:00Z");
    /** 2031-02-01T00:00:00Z. */
    public static final long T1 = micros("2031-02-01T00:00:00Z");
    /** 2031-03-01T00:00:00Z. */
    public static final long T2 = micros("2031-03-01T00:00:00Z");
    /** The burst second of btcusd orders (more events than one part holds). */
    public static final long BURST = T0 + 120 * SECOND;
    public static final int BURST_EVENTS = TableLayout.MAX_EVENTS_PER_PART + 300;
    public static final long BTC_CONFIRMED = T0 + 9 * MINUTE;
    public static final GapRecord BTC_CHAIN_BREAK = new GapRecord("btcusd", Channel.ORDERS,
            GapRecord.Kind.CHAIN_BREAK, T0 + 300 * SECOND + 500_000, T0 + 301 * SECOND + 200_000,
            "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000003",
            "00000000-0000-0000-0000-000000000002", "pre_event_id did not match");
    public static final GapRecord BTC_DISCONNECT = new GapRecord("btcusd", Channel.TRADES,
            GapRecord.Kind.DISCONNECT, T0 + 400 * SECOND, T0 + 430 * SECOND, null, null, null, "socket closed");
    public static final GapRecord LTC_DISCONNECT = new GapRecord("ltcusd", Channel.TRADES,
            GapRecord.Kind.DISCONNECT, T1 + 4 * MINUTE + 10 * SECOND, T1 + 4 * MINUTE + 20 * SECOND,
            null, null, null, "socket closed");

    private static Fixtures instance;

    /** Per pk, the chunks in key order. */
    private final Map<String, TreeMap<String, Chunk>> chunks = new TreeMap<>();
    private final List<GapRecord> gaps = List.of(BTC_CHAIN_BREAK, BTC_DISCONNECT, LTC_DISCONNECT);
    private final Map<String, Long> confirmed = new HashMap<>();
    private final List<ObjectNode> samples = new ArrayList<>();
    private final Random random = new Random(20310101L);
    private long eventSeq;

    public static synchronized Fixtures get() {
        if (instance == null) {
            instance = new Fixtures();
        }
        return instance;
    }

    private Fixtures() {
        List<CapturedEvent> all = new ArrayList<>();
        all.addAll(btcOrders());
        all.addAll(btcTrades());
        all.addAll(ltcTrades());
        all.addAll(xrpOrders());
        samplesDir().ifPresent(dir -> all.addAll(sampleEvents(dir)));
        store(all);
        confirmed.put("btcusd#orders", BTC_CONFIRMED);
        confirmed.put("btcusd#trades", BTC_CONFIRMED);
    }

    public static long micros(String iso) {
        Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    /** {@code ../shared/bitstamp-samples/}, from system property {@code samples.dir}, when it exists. */
    public static Optional<Path> samplesDir() {
        String dir = System.getProperty("samples.dir");
        return dir != null && Files.isDirectory(Path.of(dir)) ? Optional.of(Path.of(dir)) : Optional.empty();
    }

    /** Every chunk, for writing. */
    public List<Chunk> chunks() {
        return chunks.values().stream().flatMap(m -> m.values().stream()).toList();
    }

    public List<GapRecord> gaps() {
        return gaps;
    }

    /** The real sample frames that were stored (empty without the samples folder). */
    public List<ObjectNode> samples() {
        return samples;
    }

    /** Catalog items: first/last from the stored events, updated = confirmed time (default: last event + 1 s). */
    public List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> catalogItems() {
        List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> items = new ArrayList<>();
        for (Map.Entry<String, TreeMap<String, Chunk>> e : chunks.entrySet()) {
            List<CapturedEvent> events = storedOrder(e.getValue());
            long first = events.stream().mapToLong(CapturedEvent::microtimestamp).min().orElseThrow();
            long last = events.stream().mapToLong(CapturedEvent::microtimestamp).max().orElseThrow();
            long updated = confirmed.getOrDefault(e.getKey(), last + SECOND);
            items.add(Map.of(
                    TableLayout.PK, attr(TableLayout.CATALOG_PK),
                    TableLayout.SK, attr(e.getKey()),
                    TableLayout.CATALOG_FIRST, num(first),
                    TableLayout.CATALOG_LAST, num(last),
                    // the wall-clock time of the last write runs ahead of what is stored: coverage must not use it
                    TableLayout.CATALOG_UPDATED, num(updated + 3_600 * SECOND),
                    TableLayout.CATALOG_CONFIRMED_UNTIL, num(updated)));
        }
        return items;
    }

    private static software.amazon.awssdk.services.dynamodb.model.AttributeValue attr(String s) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(s);
    }

    private static software.amazon.awssdk.services.dynamodb.model.AttributeValue num(long n) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN(Long.toString(n));
    }

    /** The stored events of a pair and channel in stored order (key order, then order inside the chunk). */
    public List<CapturedEvent> events(String pair, Channel channel) {
        TreeMap<String, Chunk> byKey = chunks.get(TableLayout.chunkPk(pair, channel));
        return byKey == null ? List.of() : storedOrder(byKey);
    }

    /** The stored events with {@code from <= microtimestamp < to}, in stored order. */
    public List<CapturedEvent> events(String pair, Channel channel, long from, long to) {
        return events(pair, channel).stream()
                .filter(e -> e.microtimestamp() >= from && e.microtimestamp() < to).toList();
    }

    private static List<CapturedEvent> storedOrder(TreeMap<String, Chunk> byKey) {
        return byKey.values().stream().flatMap(c -> c.events().stream()).toList();
    }

    private void store(List<CapturedEvent> all) {
        Map<String, List<CapturedEvent>> byWindow = new LinkedHashMap<>();
        for (CapturedEvent e : all) {
            Channel.WireChannel wire = Channel.parseWire(e.frame().get("channel").asText()).orElseThrow();
            String key = TableLayout.chunkPk(wire.pair(), wire.channel()) + "@"
                    + TableLayout.slotStart(e.microtimestamp());
            byWindow.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
        for (List<CapturedEvent> window : byWindow.values()) {
            window.sort(Comparator.comparingLong(CapturedEvent::microtimestamp)); // stable: exchange order kept
            Channel.WireChannel wire = Channel.parseWire(window.get(0).frame().get("channel").asText()).orElseThrow();
            long start = TableLayout.slotStart(window.get(0).microtimestamp());
            for (int part = 0; part * TableLayout.MAX_EVENTS_PER_PART < window.size(); part++) {
                List<CapturedEvent> slice = window.subList(part * TableLayout.MAX_EVENTS_PER_PART,
                        Math.min(window.size(), (part + 1) * TableLayout.MAX_EVENTS_PER_PART));
                Chunk chunk = new Chunk(wire.pair(), wire.channel(), start, part, slice);
                chunks.computeIfAbsent(TableLayout.chunkPk(wire.pair(), wire.channel()), k -> new TreeMap<>())
                        .put(TableLayout.chunkSk(start, part), chunk);
            }
        }
    }

    // ---- btcusd orders: about 20 events a second for ten minutes, a burst second, odd frames ----

    private List<CapturedEvent> btcOrders() {
        List<CapturedEvent> events = new ArrayList<>();
        String[] types = {"order_created", "order_changed", "order_deleted"};
        String pre = eventId(T0 - 1000);
        for (long s = 0; s < 600; s++) {
            long second = T0 + s * SECOND;
            int n = second == BURST ? BURST_EVENTS : 10 + random.nextInt(21);
            for (int i = 0; i < n; i++) {
                long mt = second + (long) i * (SECOND / n) / 1000 * 1000; // whole milliseconds, as since 2021
                String type = types[random.nextInt(3)];
                String id = Long.toString(2_037_493_297_635_328L + random.nextInt(2000));
                String eventId = eventId(mt);
                String json = orderFrame(type, id, random.nextInt(2), mt, price(64_000, 2), amount(8), eventId, pre,
                        "btcusd");
                pre = eventId;
                events.add(event(json, mt));
            }
        }
        // odd frames
        events.add(event("""
                {"data":{"id":2037493299999999,"id_str":"2037493299999999","order_type":1,"order_subtype":4,\
                "datetime":"1924941605","microtimestamp":"%d","amount":1E-8,"amount_str":"1E-8","amount_traded":"0",\
                "amount_at_create":"0.00000001","price":999999999,"price_str":"999999999.00","is_liquidation":true,\
                "fee":0.0016429999999999999,"fee_str":"0.00164300","time":"not ours","trade_account_id":7,\
                "maker":{"rank":3,"venue":"x"},"flags":[1,2],"ratio":3651.3000000000002,"big":123456789012345678901234,\
                "note":null},"channel":"live_orders_btcusd","event":"order_created","event_id":"%s",\
                "pre_event_id":"%s","order_source":"orderbook","_recv_ns":1924941605123456789,"pair":"btc/usd"}"""
                .formatted(T0 + 5_500_000, eventId(T0 + 5_500_000), "0006589a-0000-0000-0000-000000000000"),
                T0 + 5_500_000));
        events.add(event("""
                {"data":{"id":2037493299999998,"id_str":"2037493299999998","order_type":7,"datetime":"1924941606",\
                "microtimestamp":"%d","amount":32,"amount_str":"32","price":0.6881,"price_str":"0.68810",\
                "type":"limit"},"channel":"live_orders_btcusd","event":"order_deleted"}"""
                .formatted(T0 + 6_250_000), T0 + 6_250_000));
        return events;
    }

    /** An orders frame the way 2026 frames look, every field. */
    public static String orderFrame(String type, String id, int orderType, long mt, String price, String amount,
            String eventId, String preEventId, String pair) {
        String traded = type.equals("order_changed") ? "0.00500000" : "0";
        return ("{\"data\":{\"id\":%s,\"id_str\":\"%s\",\"order_type\":%d,\"order_subtype\":%d,\"datetime\":\"%d\","
                + "\"microtimestamp\":\"%d\",\"amount\":%s,\"amount_str\":\"%s\",\"amount_traded\":\"%s\","
                + "\"amount_at_create\":\"%s\",\"price\":%s,\"price_str\":\"%s\",\"is_liquidation\":false},"
                + "\"channel\":\"live_orders_%s\",\"event\":\"%s\",\"event_id\":\"%s\",\"pre_event_id\":\"%s\","
                + "\"order_source\":\"orderbook\"}")
                .formatted(id, id, orderType, 5, (mt + 999_999) / 1_000_000, mt, plain(amount), amount, traded,
                        amount, plain(price), price, pair, type, eventId, preEventId);
    }

    // ---- btcusd trades: about one a second ----

    private List<CapturedEvent> btcTrades() {
        List<CapturedEvent> events = new ArrayList<>();
        long tradeId = 619_501_668L;
        for (long s = 0; s < 600; s++) {
            int n = random.nextInt(3);
            for (int i = 0; i < n; i++) {
                long mt = T0 + s * SECOND + 100_000L * (i + 1) + 7_000;
                events.add(event(tradeFrame(tradeId++, mt, price(64_000, 2), amount(8), random.nextInt(2),
                        2_041_200_416_022_642L + random.nextInt(2000), 2_041_200_408_317_957L + random.nextInt(2000),
                        "btcusd"), mt));
            }
        }
        return events;
    }

    /** A trades frame the way real ones look. */
    public static String tradeFrame(long id, long mt, String price, String amount, int type, long buyOrderId,
            long sellOrderId, String pair) {
        return ("{\"data\":{\"id\":%d,\"timestamp\":\"%d\",\"amount\":%s,\"amount_str\":\"%s\",\"price\":%s,"
                + "\"price_str\":\"%s\",\"type\":%d,\"microtimestamp\":\"%d\",\"buy_order_id\":%d,"
                + "\"sell_order_id\":%d},\"channel\":\"live_trades_%s\",\"event\":\"trade\"}")
                .formatted(id, mt / 1_000_000, plain(amount), amount, plain(price), price, type, mt, buyOrderId,
                        sellOrderId, pair);
    }

    // ---- ltcusd trades for candles (the expected bars are computed by hand in CandlesResourceTest) ----

    /** (seconds after T1, price, amount, type) of every ltcusd trade. */
    public static final Object[][] LTC_TRADES = {
        {5, "100.50", "0.50000000", 0},
        {20, "101.00", "1.25000000", 1},
        {59, "99.75", "0.25000000", 0},
        {60, "99.80", "2.00000000", 1},
        {61, "1E+2", "1", 0},
        // minute 2: no trades
        {185, "102.125", "0.10000000", 0},
        {190, "102.125", "0.30000000", 0},
        {250, "98.00", "0.00000001", 1},
        {299, "98.50", "3.50000000", 0},
        {300, "97.00", "1.00000000", 1},
    };

    private List<CapturedEvent> ltcTrades() {
        List<CapturedEvent> events = new ArrayList<>();
        long id = 1;
        for (Object[] t : LTC_TRADES) {
            long mt = T1 + (int) t[0] * SECOND;
            events.add(event(tradeFrame(id++, mt, (String) t[1], (String) t[2], (int) t[3], 1000 + id, 2000 + id,
                    "ltcusd"), mt));
        }
        return events;
    }

    // ---- xrpusd orders with large frames ----

    public static final int XRP_EVENTS = 3 * 400;
    public static final int XRP_PADDING = 12_000;

    private List<CapturedEvent> xrpOrders() {
        List<CapturedEvent> events = new ArrayList<>();
        String padding = "\"q\\\"".repeat(XRP_PADDING / 4);
        for (int i = 0; i < XRP_EVENTS; i++) {
            long mt = T2 + (i / 400) * SECOND + (i % 400) * 1000L;
            ObjectNode frame = parse(orderFrame("order_created", Long.toString(5_000_000L + i), i % 2, mt, "0.51230",
                    "100.000000", eventId(mt), eventId(mt - 1), "xrpusd"));
            ((ObjectNode) frame.get("data")).put("memo", padding);
            events.add(new CapturedEvent(mt, mt + 1000, frame));
        }
        return events;
    }

    // ---- real frames from ../shared/bitstamp-samples ----

    private List<CapturedEvent> sampleEvents(Path dir) {
        List<CapturedEvent> events = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(dir.resolve("Trading-Engine__bitstamp_live_orders_sample.jsonl"))) {
                addSample(events, parse(line));
            }
            for (String line : Files.readAllLines(dir.resolve("multi-repo__small_fixtures.jsonl"))) {
                JsonNode record = Frames.MAPPER.readTree(line);
                JsonNode raw = record.get("raw_text"); // the message as sent, numbers in their exact form
                if (raw != null && raw.isTextual() && raw.asText().startsWith("{")) {
                    addSample(events, parse(raw.asText()));
                } else if (record.get("msg") instanceof ObjectNode msg) {
                    addSample(events, msg);
                }
            }
            String trade = Files.readString(dir.resolve("Bitstamp.Net__Subscriptions_ExchangeApi_Trades.txt"));
            addSample(events, parse(trade.substring(trade.indexOf("= ") + 2)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    private void addSample(List<CapturedEvent> events, ObjectNode frame) {
        JsonNode channel = frame.get("channel");
        String event = frame.path("event").asText();
        long mt = Frames.microtimestamp(frame);
        if (channel == null || mt < 0 || !(event.startsWith("order_") || event.equals("trade"))) {
            return;
        }
        Optional<Channel.WireChannel> wire = Channel.parseWire(channel.asText());
        if (wire.isEmpty() || !wire.get().pair().matches("[a-z0-9_-]+")) {
            return;
        }
        samples.add(frame);
        events.add(new CapturedEvent(mt, mt + 1000, frame));
    }

    // ---- helpers ----

    private CapturedEvent event(String json, long mt) {
        return new CapturedEvent(mt, mt + 2000, parse(json));
    }

    private static ObjectNode parse(String json) {
        try {
            return Frames.parse(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String eventId(long mt) {
        long seq = eventSeq++;
        String hex = String.format("%012x", mt / 1000);
        return hex.substring(0, 8) + "-" + hex.substring(8) + "-" + String.format("%04x-%04x-%012x",
                (seq >> 16) & 0xffff, seq & 0xffff, 0x000101000020L);
    }

    private String price(int around, int decimals) {
        return new BigDecimal(around + random.nextInt(2000)).add(
                BigDecimal.valueOf(random.nextInt((int) Math.pow(10, decimals)), decimals)).toPlainString();
    }

    private String amount(int decimals) {
        return BigDecimal.valueOf(1 + random.nextInt(300_000_000), decimals).toPlainString();
    }

    /** How the exchange writes the number beside a decimal string (no padding zeros). */
    private static String plain(String decimal) {
        BigDecimal d = new BigDecimal(decimal);
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }
}
