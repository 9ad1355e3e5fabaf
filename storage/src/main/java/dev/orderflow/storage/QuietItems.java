package dev.orderflow.storage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Layout 3's shared items: the quiet windows of several channels in one item. A window whose events are all in one
 * part closed with the window, under {@link TableLayout#PART_MIN_BYTES} of frames (a quiet channel's slot: a few
 * events, well under one write unit), is stored as a <i>section</i> of the item of its channel's group and slot
 * instead of an item of its own, so a hundred quiet channels cost a few write units a slot instead of a hundred.
 *
 * <p>{@code pk = "quiet#<group>"} ({@link #group}: CRC-32 of the channel's chunk key, modulo {@value #GROUPS}),
 * {@code sk = "<slot start, epoch ms, 13 digits>#000"} (the key of the slot's first chunk), attributes {@code w}
 * (write version), {@code hosts} and {@code c}: a map of {@code <pair>#<channel>} to the section {@code n},
 * {@code t0}, {@code t1} and {@code z}, exactly a chunk item's attributes (payload version 2). Readers of a channel
 * read its own items and its group's sections for the same key range ({@link ChannelChunks}).
 */
public final class QuietItems {
    /** Groups of channels sharing items: a property of the stored layout, the same for every writer of a table. */
    public static final int GROUPS = 8;
    public static final String SECTIONS = "c";
    private static final String PREFIX = "quiet#";

    private QuietItems() {
    }

    /** The group of a channel's quiet windows. */
    public static int group(String pair, Channel channel) {
        CRC32 crc = new CRC32();
        crc.update(TableLayout.chunkPk(pair, channel).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) (crc.getValue() % GROUPS);
    }

    public static String pk(int group) {
        return PREFIX + group;
    }

    /** Whether a partition key is a shared partition's. */
    public static boolean isShared(String pk) {
        return pk.startsWith(PREFIX);
    }

    /** The partition of the channel's group. */
    public static String pk(String pair, Channel channel) {
        return pk(group(pair, channel));
    }

    /** The sort key of a slot's shared item (its first chunk's key). */
    public static String sk(long slotStartMicros) {
        return TableLayout.chunkSk(slotStartMicros, 0);
    }

    /** Whether a window's only part may be stored as a section: closed with its window, under a write unit's worth. */
    public static boolean quiet(int part, boolean closedWithWindow, long frameBytes) {
        return part == 0 && closedWithWindow && frameBytes < TableLayout.PART_MIN_BYTES;
    }

    /** A section: the events (in exchange order, at least one) as a chunk's {@code n}, {@code t0}, {@code t1}, {@code z}. */
    public static AttributeValue section(List<CapturedEvent> events) {
        Map<String, AttributeValue> section = new HashMap<>();
        section.put(TableLayout.EVENTS, AttributeValue.fromN(Integer.toString(events.size())));
        section.put(TableLayout.FIRST_MICROS, AttributeValue.fromN(Long.toString(events.get(0).microtimestamp())));
        section.put(TableLayout.LAST_MICROS,
                AttributeValue.fromN(Long.toString(events.get(events.size() - 1).microtimestamp())));
        section.put(TableLayout.PAYLOAD, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(ChunkCodec.encode(events))));
        return AttributeValue.fromM(section);
    }

    /** A slot's shared item: {@code sections} by chunk key ({@link TableLayout#chunkPk}). */
    public static Map<String, AttributeValue> item(int group, long slotStartMicros, Map<String, AttributeValue> sections,
            Set<String> hosts, long writeVersion) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(TableLayout.PK, AttributeValue.fromS(pk(group)));
        item.put(TableLayout.SK, AttributeValue.fromS(sk(slotStartMicros)));
        item.put(TableLayout.WRITE_VERSION, AttributeValue.fromN(Long.toString(writeVersion)));
        item.put(Hosts.CHUNK_HOSTS, Hosts.chunkHosts(hosts));
        item.put(SECTIONS, AttributeValue.fromM(sections));
        return item;
    }

    /** The sections of a shared item by chunk key (empty when it has none). */
    public static Map<String, AttributeValue> sections(Map<String, AttributeValue> item) {
        AttributeValue c = item.get(SECTIONS);
        return c == null || !c.hasM() ? Map.of() : c.m();
    }

    /** The events of one section. */
    public static List<CapturedEvent> events(AttributeValue section) {
        return ChunkCodec.decode(section.m().get(TableLayout.PAYLOAD).b().asByteArrayUnsafe(), ChunkCodec.VERSION);
    }

    /**
     * The channel's section of a shared item as a chunk item of the channel (its key, {@code n}, {@code t0},
     * {@code t1}, {@code v}, {@code z}, the item's {@code w} and {@code hosts}), or empty when it holds none.
     */
    public static Optional<Map<String, AttributeValue>> asChunkItem(Map<String, AttributeValue> item, String pair,
            Channel channel) {
        AttributeValue section = sections(item).get(TableLayout.chunkPk(pair, channel));
        if (section == null || !section.hasM()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> chunk = new HashMap<>(section.m());
        chunk.put(TableLayout.PK, AttributeValue.fromS(TableLayout.chunkPk(pair, channel)));
        chunk.put(TableLayout.SK, item.get(TableLayout.SK));
        chunk.put(TableLayout.VERSION, AttributeValue.fromN(Integer.toString(ChunkCodec.VERSION)));
        for (String copied : List.of(TableLayout.WRITE_VERSION, Hosts.CHUNK_HOSTS)) {
            if (item.containsKey(copied)) {
                chunk.put(copied, item.get(copied));
            }
        }
        return Optional.of(chunk);
    }
}
