package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@org.junit.jupiter.api.Timeout(600)
class TableLayoutTest {

    /**
     * Keys are written in ASCII digits whatever the host's locale: Java formats {@code %d} in the default locale's
     * digits (Arabic-Indic under {@code ar-EG}), which would sort and match no key written elsewhere.
     */
    @Test
    void shouldKeyABadFrameByItsTimeAndTextSoThatWritingItAgainLandsOnTheSameItem() {
        String sk = BadFrameItems.badFrameItems(1786269861947000L, "{\"bad\"", "r").get(0).get(TableLayout.SK).s();
        assertEquals(sk, BadFrameItems.badFrameItems(1786269861947000L, "{\"bad\"", "other reason").get(0)
                .get(TableLayout.SK).s(), "the same frame, kept again after a restart");
        assertTrue(!sk.equals(BadFrameItems.badFrameItems(1786269861947000L, "{\"bad!\"", "r").get(0)
                .get(TableLayout.SK).s()), "another frame of the same microsecond");
        assertTrue(sk.startsWith("1786269861947000#"), sk);
    }

    @Test
    void shouldWriteKeysInAsciiDigitsWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("ar-EG"));
            List<String> keys = new ArrayList<>(List.of(TableLayout.chunkSk(1786269860000000L, 7),
                    SnapshotItems.snapshotSk(1786269861947000L, 2), SnapshotItems.snapshotMetaSk(1786269861947000L),
                    GapItems.gapSk(1786269861947000L, GapRecord.Kind.DISCONNECT, List.of())));
            BadFrameItems.badFrameItems(1786269861947000L, "x".repeat(BadFrameItems.BAD_RAW_MAX_CHARS + 1), "r")
                    .forEach(item -> keys.add(item.get(TableLayout.SK).s()));
            for (String key : keys) {
                assertTrue(key.chars().allMatch(c -> c < 128), key);
            }
            assertEquals("1786269860000#007", keys.get(0));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void shouldSortChunkKeysBySlotThenPart() {
        String a = TableLayout.chunkSk(TableLayout.slotStart(1786269861947000L), 0);
        String b = TableLayout.chunkSk(TableLayout.slotStart(1786269869947000L), 1);
        String c = TableLayout.chunkSk(TableLayout.slotStart(1786269870000000L), 0);
        assertEquals("1786269860000#000", a);
        assertTrue(a.compareTo(b) < 0 && b.compareTo(c) < 0);
        assertEquals(1786269860000000L, TableLayout.windowOfSk(b));
    }

    @Test
    void shouldCoverTheSlotsAndTheLayout1WindowsOfAHalfOpenRange() {
        assertEquals("1786269860000#000", TableLayout.lowestSk(1786269861500000L));
        assertEquals("1786269861000#999", TableLayout.highestSk(1786269862000000L));
        assertEquals("1786269862000#999", TableLayout.highestSk(1786269862000001L));
        String layout1 = TableLayout.chunkSk(TableLayout.layout1WindowStart(1786269861500000L), 0);
        String slot = TableLayout.chunkSk(TableLayout.slotStart(1786269861500000L), 5);
        for (String sk : new String[] {layout1, slot}) {
            assertTrue(sk.compareTo(TableLayout.lowestSk(1786269861500000L)) >= 0
                    && sk.compareTo(TableLayout.highestSk(1786269861500001L)) <= 0, sk);
        }
    }

    @Test
    void shouldGrowThePartTargetSoThatABurstFitsInTheNumberedParts() {
        assertEquals(40 * 1024, TableLayout.partTargetBytes(0));
        assertEquals(40 * 1024, TableLayout.partTargetBytes(TableLayout.PART_TARGET_GROWS_FROM - 1));
        assertEquals(80 * 1024, TableLayout.partTargetBytes(TableLayout.PART_TARGET_GROWS_FROM));
        long slot = 0;
        for (int part = 0; part <= TableLayout.MAX_PART; part++) {
            slot += TableLayout.partTargetBytes(part);
        }
        assertTrue(slot > 250L * 1024 * 1024, "a slot holds " + slot + " bytes of frames");
        long firstParts = 0;
        for (int part = 0; part < 48; part++) {
            firstParts += TableLayout.partTargetBytes(part);
        }
        // a burst of 100,000 order events (about 25 MB of frames) in a few dozen puts, not a hundred or more
        assertTrue(firstParts >= 25L * 1024 * 1024, "48 parts hold " + firstParts + " bytes of frames");
        assertEquals(TableLayout.PART_TARGET_MAX_BYTES, TableLayout.partTargetBytes(TableLayout.MAX_PART));
    }

    @Test
    void shouldCloseAPartAtItsTargetOrAtAWriteUnitOnceItSpansASecondAndAHalfIfItIsBusy() {
        assertTrue(TableLayout.partFull(0, 40 * 1024, 0));
        assertFalse(TableLayout.partFull(0, 40 * 1024 - 1, 1_499_999));
        assertTrue(TableLayout.partFull(0, 8 * 1024, 1_500_000));
        assertFalse(TableLayout.partFull(0, 8 * 1024 - 1, 9_000_000));
        // past 2 s, only a busy part closes early: a slower channel's window stays one item
        assertTrue(TableLayout.partFull(0, 8 * 1024, 2_000_000), "a write unit's worth within 2 s");
        assertFalse(TableLayout.partFull(0, 8 * 1024, 2_000_001), "a write unit's worth, but over more than 2 s");
        assertTrue(TableLayout.partFull(0, 16 * 1024, 3_000_000), "twice as much over twice the minimum span");
        assertFalse(TableLayout.partFull(0, 16 * 1024, 3_000_001));
        assertFalse(TableLayout.closesEarly(8 * 1024 - 1, 0), "under a write unit's worth");
        assertTrue(TableLayout.closesEarly(8 * 1024, 200_000), "even before the minimum span (a channel fallen quiet)");
        assertTrue(TableLayout.busy(8 * 1024, 0), "a write unit's worth within a second and a half");
        assertTrue(TableLayout.busy(16 * 1024, 3_000_000));
        assertFalse(TableLayout.busy(16 * 1024, 3_000_001));
        assertFalse(TableLayout.busy(200, 0), "a lone event is not a busy channel");
    }

    @Test
    void shouldWriteAndReadAChunkItemWithDeterministicKeys() throws Exception {
        var frame = Frames.parse("{\"data\":{\"id\":1,\"microtimestamp\":\"1786269861947000\",\"price_str\":\"1.10\"},"
                + "\"channel\":\"live_trades_btcusd\",\"event\":\"trade\"}");
        Chunk chunk = new Chunk("btcusd", Channel.TRADES, 1786269861000000L, 2,
                List.of(new CapturedEvent(1786269861947000L, 1786269862000000L, frame)));
        Map<String, AttributeValue> item = TableLayout.toItem(chunk);
        assertEquals("btcusd#trades", item.get(TableLayout.PK).s());
        assertEquals("1786269861000#002", item.get(TableLayout.SK).s());
        assertEquals("1", item.get(TableLayout.EVENTS).n());
        assertEquals(TableLayout.toItem(chunk), item);
        assertEquals(chunk, TableLayout.fromItem(item).orElseThrow());
    }

    @Test
    void shouldWriteAndReadGapItems() {
        GapRecord gap = new GapRecord("ethusd", Channel.ORDERS, GapRecord.Kind.CHAIN_BREAK, 10L, 20L,
                "a", "b", "c", "3 events lost");
        Map<String, AttributeValue> item = GapItems.toItem(gap);
        assertEquals("ethusd#orders#gaps", item.get(TableLayout.PK).s());
        assertEquals("0000000000000010#chain_break", item.get(TableLayout.SK).s());
        assertEquals(gap, GapItems.gapFromItem(item));
    }

    @Test
    void shouldSplitWireChannelNames() {
        assertEquals(new Channel.WireChannel(Channel.ORDERS, "btcusd-perp"),
                Channel.parseWire("live_orders_btcusd-perp").orElseThrow());
        assertTrue(Channel.parseWire("diff_order_book_btcusd").isEmpty());
        assertTrue(Channel.parseWire("live_orders_").isEmpty());
    }

    @Test
    void shouldSplitALargeSnapshotIntoPartsAndRebuildItExactly() throws Exception {
        var body = Frames.MAPPER.createObjectNode().put("timestamp", "1786269861").put("microtimestamp", "1786269861947000");
        var bids = body.putArray("bids");
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 60_000; i++) {
            bids.addArray().add(String.format("%d.%02d", 60000 - i / 10, random.nextInt(100)))
                    .add(String.format("0.%08d", random.nextInt(100_000_000)))
                    .add(Long.toString(2037493297635328L + random.nextInt(1 << 30)));
        }
        body.putArray("asks");
        SnapshotRecord snapshot = new SnapshotRecord("btcusd", 1786269861947000L, 1786269862000000L, "connect", body);
        List<Map<String, AttributeValue>> items = SnapshotItems.toItems(snapshot);
        assertTrue(items.size() > 1, "expected several parts, got " + items.size());
        assertEquals("btcusd#snapshots", items.get(0).get(TableLayout.PK).s());
        assertEquals("1786269861947000#001", items.get(1).get(TableLayout.SK).s());
        assertEquals(snapshot, SnapshotItems.snapshotFromItems(items));
    }
}
