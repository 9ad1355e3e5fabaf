package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

@org.junit.jupiter.api.Timeout(600)
class ChunkCodecTest {

    private static final String ORDER = """
            {"data":{"id":2037493297635328,"id_str":"2037493297635328","order_type":0,"order_subtype":5,\
            "datetime":"1786269862","microtimestamp":"1786269861947000","amount":0.00171371,"amount_str":"0.00171371",\
            "amount_traded":"0","amount_at_create":"0.00171371","price":58356.1,"price_str":"58356.10",\
            "is_liquidation":false},"channel":"live_orders_btcusd","event":"order_deleted",\
            "event_id":"0006589a-5c98-2678-0000-000101000020","pre_event_id":"0006589a-5c97-f798-0000-000100000020",\
            "order_source":"orderbook"}""";

    @Test
    void shouldRoundTripEverySampleFrameExactly() throws Exception {
        Assumptions.assumeTrue(SampleFrames.available(),
                "recorded samples not found at " + SampleFrames.folder() + ": skipping the sample round trip");
        int frames = 0;
        for (List<ObjectNode> file : SampleFrames.byFile()) {
            assertRoundTrip(file);
            for (int from = 0; from < file.size(); from += 37) {
                assertRoundTrip(file.subList(from, Math.min(file.size(), from + 37)));
            }
            frames += file.size();
        }
        assertTrue(frames > 3000, "expected the samples' thousands of frames, found " + frames);
    }

    @Test
    void shouldKeepDecimalSpellingsAndIdsExactly() throws Exception {
        List<ObjectNode> frames = List.of(
                Frames.parse(ORDER),
                Frames.parse("{\"data\":{\"amount\":1e-08,\"amount_str\":\"1E-8\",\"price\":3651.3000000000002,"
                        + "\"price_str\":\"3651.30\",\"microtimestamp\":\"1554076803243152\",\"id\":2001939623936278528,"
                        + "\"id_str\":\"2001939623936278528\",\"big\":123456789012345678901234567890,"
                        + "\"zero\":\"0.00000\",\"odd\":\"007\",\"neg\":\"-0.5\",\"list\":[1,\"2\",null,true,{\"x\":1.50}]},"
                        + "\"channel\":\"live_trades_btcusd-perp\",\"event\":\"trade\",\"unknown\":{\"nested\":[]}}"),
                Frames.parse("{\"event\":\"bts:request_reconnect\",\"channel\":\"\",\"data\":null}"));
        List<ObjectNode> decoded = assertRoundTrip(frames);
        assertEquals("0.00171371", decoded.get(0).get("data").get("amount_str").textValue());
        assertEquals("3651.3000000000002", decoded.get(1).get("data").get("price").decimalValue().toPlainString());
        assertEquals("1E-8", decoded.get(1).get("data").get("amount_str").textValue());
        assertEquals("007", decoded.get(1).get("data").get("odd").textValue());
        assertEquals("2001939623936278528", decoded.get(1).get("data").get("id").asText());
    }

    @Test
    void shouldKeepReceivedTimesAndExplicitEventTimes() throws Exception {
        ObjectNode frame = Frames.parse(ORDER);
        List<CapturedEvent> events = List.of(
                new CapturedEvent(1786269861947000L, 1786269862000123L, frame),
                new CapturedEvent(42L, 1786269861000000L, frame.deepCopy()));
        assertEquals(events, ChunkCodec.decode(ChunkCodec.encode(events)));
    }

    @Test
    void shouldStoreARealisticOrderStreamInFewBytesPerEvent() throws Exception {
        List<CapturedEvent> events = new ArrayList<>();
        ObjectNode template = Frames.parse(ORDER);
        long time = 1786269861947000L;
        long id = 2037493297635328L;
        String previous = "0006589a-5c97-f798-0000-000100000020";
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 70; i++) {
            time += 1000L * (1 + random.nextInt(25));
            id += 1 + random.nextInt(200_000);
            ObjectNode frame = template.deepCopy();
            ObjectNode data = (ObjectNode) frame.get("data");
            data.put("id", id).put("id_str", Long.toString(id));
            data.put("microtimestamp", Long.toString(time)).put("datetime", Long.toString(time / 1_000_000));
            String amount = new java.math.BigDecimal(random.nextInt(100_000_000)).movePointLeft(8).toPlainString();
            data.put("amount_str", amount).put("amount_at_create", amount)
                    .put("amount", new java.math.BigDecimal(amount).stripTrailingZeros());
            String price = new java.math.BigDecimal(6_480_000 + random.nextInt(2000)).movePointLeft(2).toPlainString();
            data.put("price_str", price).put("price", new java.math.BigDecimal(price).stripTrailingZeros());
            frame.put("event", random.nextBoolean() ? "order_created" : "order_deleted");
            String eventId = String.format("%016x", time);
            eventId = eventId.substring(0, 8) + "-" + eventId.substring(8, 12) + "-" + eventId.substring(12)
                    + "-0000-0001" + String.format("%02x", random.nextInt(4)) + "000020";
            frame.put("pre_event_id", previous).put("event_id", eventId);
            previous = eventId;
            events.add(new CapturedEvent(time, time + 40_000 + random.nextInt(5000), frame));
        }
        byte[] payload = ChunkCodec.encode(events);
        assertEquals(events, ChunkCodec.decode(payload));
        double perEvent = payload.length / 70.0;
        assertTrue(perEvent < 30, "expected under 30 bytes per event, got " + perEvent);
    }

    @Test
    void shouldRejectCorruptPayloadsWithoutHanging() {
        assertThrows(IllegalArgumentException.class, () -> ChunkCodec.decode(new byte[] {1, 2, 3, 4}));
        byte[] good = ChunkCodec.encode(List.of(new CapturedEvent(1, 2, Frames.MAPPER.createObjectNode().put("a", 1))));
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 2);
        assertThrows(IllegalArgumentException.class, () -> ChunkCodec.decode(cut));
    }

    private static List<ObjectNode> assertRoundTrip(List<ObjectNode> frames) {
        List<CapturedEvent> events = new ArrayList<>();
        long received = 1_700_000_000_000_000L;
        for (ObjectNode frame : frames) {
            events.add(new CapturedEvent(Frames.microtimestamp(frame), received += 1234, frame));
        }
        byte[] payload = ChunkCodec.encode(events);
        List<CapturedEvent> decoded = ChunkCodec.decode(payload);
        assertEquals(events.size(), decoded.size());
        assertViewMatches(payload, events);
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            assertEquals(events.get(i), decoded.get(i), "event " + i);
            assertEquals(Frames.toJson(events.get(i).frame()), Frames.toJson(decoded.get(i).frame()), "event " + i);
            out.add(decoded.get(i).frame());
        }
        return out;
    }

    /** The view of a chunk says what the frames say, field by field. */
    private static void assertViewMatches(byte[] payload, List<CapturedEvent> events) {
        EventView.Events view = ChunkCodec.view(payload);
        assertEquals(events.size(), view.size());
        EventView.Name price = new EventView.Name("price_str");
        // text bytes through memos: one that every value passes through, and one per field name (as the archive
        // keeps one per column): a memo's answer is the value's own text, whether it repeats the last one or not
        EventView.TextMemo shared = new EventView.TextMemo();
        java.util.Map<String, EventView.TextMemo> byName = new java.util.HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            assertTrue(view.next(), "event " + i);
            EventView event = view.event();
            CapturedEvent expected = events.get(i);
            assertEquals(expected.microtimestamp(), event.microtimestamp(), "event " + i);
            assertEquals(expected.receivedMicros(), event.receivedMicros(), "event " + i);
            assertFieldsMatch(expected.frame(), event.frame(), "event " + i, shared, byName);
            com.fasterxml.jackson.databind.JsonNode data = expected.frame().get("data");
            if (data instanceof ObjectNode object) {
                assertFieldsMatch(object, event.data(), "event " + i + " data", shared, byName);
                com.fasterxml.jackson.databind.JsonNode p = object.get("price_str");
                assertEquals(p == null ? null : p.asText(), event.data().text(price), "event " + i);
            } else {
                assertEquals(null, event.data());
            }
        }
        assertTrue(!view.next());
    }

    private static void assertFieldsMatch(ObjectNode expected, EventView.Fields fields, String where,
                                          EventView.TextMemo shared, java.util.Map<String, EventView.TextMemo> byName) {
        assertEquals(expected.size(), fields.size(), where);
        int i = 0;
        for (var it = expected.fields(); it.hasNext(); i++) {
            var field = it.next();
            String at = where + " field " + field.getKey();
            assertEquals(field.getKey(), fields.name(i), at);
            com.fasterxml.jackson.databind.JsonNode value = field.getValue();
            String text = value.isNull() || value.isContainerNode() ? null
                    : value.isTextual() ? value.textValue() : value.asText();
            assertEquals(text, fields.text(i), at);
            assertArrayEquals(text == null ? null : text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    fields.textBytes(i), at);
            assertArrayEquals(fields.textBytes(i), fields.textBytes(i, shared), at);
            assertArrayEquals(fields.textBytes(i),
                    fields.textBytes(i, byName.computeIfAbsent(field.getKey(), k -> new EventView.TextMemo())), at);
            if (fields.plainUnscaled(i) != PlainDecimal.NOT_PLAIN) {
                assertEquals(new java.math.BigDecimal(text), java.math.BigDecimal.valueOf(fields.plainUnscaled(i),
                        fields.plainScale(i)), at);
                assertEquals(PlainDecimal.scale(text), fields.plainScale(i), at);
            }
            EventView.Kind kind = value.isNull() ? EventView.Kind.NULL : value.isBoolean() ? EventView.Kind.BOOLEAN
                    : value.isTextual() ? EventView.Kind.STRING : value.isNumber() ? EventView.Kind.NUMBER
                    : value.isObject() && fields.object(i) != null ? EventView.Kind.OBJECT : EventView.Kind.OTHER;
            assertEquals(kind, fields.kind(i), at);
            if (kind == EventView.Kind.NUMBER) {
                assertEquals(value.isIntegralNumber(), fields.isWholeNumber(i), at);
                if (value.isIntegralNumber() && value.canConvertToLong() && fields.fitsLong(i)) {
                    assertEquals(value.longValue(), fields.longValue(i), at);
                }
            }
            if (kind != EventView.Kind.OBJECT) {
                assertEquals(value, fields.tree(i), at);
            }
        }
    }

    @Test
    void shouldSpellPlainDecimalsAsBigDecimalDoes() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            long unscaled = switch (i % 4) {
                case 0 -> random.nextInt(1000) - 500;
                case 1 -> random.nextLong() >> random.nextInt(63);
                case 2 -> (random.nextLong() >> 2);
                case 3 -> i % 8 == 3 ? Long.MAX_VALUE - random.nextInt(10) : -Long.MAX_VALUE + random.nextInt(10);
                default -> 0;
            };
            int scale = random.nextInt(20);
            String spelled = java.math.BigDecimal.valueOf(unscaled, scale).toPlainString();
            assertEquals(spelled, ChunkValues.plainDecimalText(unscaled, scale), unscaled + " scale " + scale);
            assertEquals(spelled, new String(ChunkValues.plainDecimalBytes(unscaled, scale),
                    java.nio.charset.StandardCharsets.ISO_8859_1), unscaled + " scale " + scale);
        }
    }

    @Test
    void shouldReadNumbersInStringsAsTheBigDecimalPathDoes() {
        java.util.Random random = new java.util.Random(11);
        List<String> texts = new ArrayList<>(List.of("0", "-0", "0.000", "-0.50", "00012", "100", "1.", ".5", "1e5",
                "+1", "-", "", "1.2.3", "999999999999999999", "9999999999999999999", "0.00000001", "58356.10",
                "2147483648", "-2147483649", "12a"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            if (random.nextInt(5) == 0) {
                b.append('-');
            }
            int whole = 1 + random.nextInt(12);
            for (int d = 0; d < whole; d++) {
                b.append((char) ('0' + random.nextInt(10)));
            }
            if (random.nextBoolean()) {
                b.append('.');
                int fraction = 1 + random.nextInt(9);
                for (int d = 0; d < fraction; d++) {
                    b.append(random.nextInt(3) == 0 ? '0' : (char) ('0' + random.nextInt(10)));
                }
            }
            texts.add(b.toString());
        }
        int fast = 0;
        for (String text : texts) {
            com.fasterxml.jackson.databind.JsonNode plain = ChunkValues.plainNumber(text);
            if (plain != null) {
                fast++;
                assertEquals(ChunkValues.anyNumber(text), plain, text);
                assertEquals(ChunkValues.anyNumber(text).getClass(), plain.getClass(), text);
            }
        }
        assertTrue(fast > 19_000, "the plain path took only " + fast + " of " + texts.size());
    }
    @Test
    void shouldKeepStringsThatAlmostSpellDecimalsOrUuidsExactly() throws Exception {
        ObjectNode data = Frames.MAPPER.createObjectNode();
        List<String> texts = List.of("1.2.3", "00.5", "-0.00", "-.5", "5.", "-5.5-", "1-2.5", "12345678901234567890.5",
                "4611686018427387903.5", "-4611686018427387904", "0.000000000000000000001", "0006589a-5c98-2678-0000-"
                        + "000101000020", "0006589A-5C98-2678-0000-000101000020", "0006589a-5c98-2678-0000-00010100002g");
        for (int i = 0; i < texts.size(); i++) {
            data.put("f" + i, texts.get(i));
        }
        ObjectNode frame = Frames.MAPPER.createObjectNode();
        frame.set("data", data.put("microtimestamp", "1786269861947000"));
        frame.put("event", "x");
        List<ObjectNode> decoded = assertRoundTrip(List.of(frame, frame.deepCopy()));
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(texts.get(i), decoded.get(1).get("data").get("f" + i).textValue());
        }
    }

    @Test
    void shouldReadPlainDecimalsAsBigDecimalSpellsThem() {
        java.util.Random random = new java.util.Random(13);
        List<String> texts = new ArrayList<>(List.of("0.0", "-0.0", "00.1", "0.10", "-.5", "5.", "1.2.3", "-1.5",
                "999999999999999999.9", "461168601842738790.35", "4611686018427387903.5", "4611686018427387904.5",
                "-4611686018427387904.0", "-4611686018427387905.0", "1.0000000000000000000000000000000000000000"));
        String alphabet = "0000123456789.-";
        for (int i = 0; i < 50_000; i++) {
            StringBuilder b = new StringBuilder();
            int length = 1 + random.nextInt(i % 10 == 0 ? 24 : 10);
            for (int c = 0; c < length; c++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            texts.add(b.toString());
        }
        int plain = 0;
        for (String text : texts) {
            java.math.BigDecimal expected;
            try {
                expected = new java.math.BigDecimal(text);
                if (text.indexOf('.') < 0 || expected.scale() > 60 || expected.unscaledValue().bitLength() > 62
                        || !expected.toPlainString().equals(text)) {
                    expected = null;
                }
            } catch (NumberFormatException e) {
                expected = null;
            }
            java.math.BigDecimal actual = ChunkValues.plainDecimal(text);
            assertEquals(expected, actual, text); // equals compares unscaled value and scale
            plain += expected == null ? 0 : 1;
        }
        assertTrue(plain > 3_000, "only " + plain + " plain spellings among " + texts.size());
    }
}
