package dev.orderflow.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * What "complete" means for a range of one pair and channel, for the API ({@code coverage} of every answer) and the
 * archive (each hour's manifest) alike: complete when none of these reasons holds.
 *
 * <p>The rule holds only for what was read in this order: the catalog (the watermark) first, then the stored
 * windows and gap records of the range, {@linkplain #CONSISTENT_READS consistently}.
 */
public final class CoverageRule {
    /**
     * Whether the reads of windows and gap records after the catalog's are strongly consistent (for reads of a
     * range whose windows may have been stored a moment before: an answer's, a just-sealed hour's). They must be:
     * a window or gap record stored just before the watermark passed it may be missing from an eventually
     * consistent read that comes after a read of the new watermark, and complete would then cover events or a gap
     * the answer does not hold. The catalog itself may be read eventually consistently: an older watermark only
     * makes the verdict more cautious. A consistent read costs twice the read units.
     */
    public static final boolean CONSISTENT_READS = true;

    /** A gap record touches the range. */
    public static final String GAPS = "gaps";
    /** The range reaches past the channel's confirmed watermark (or it has none). */
    public static final String AFTER_CONFIRMED_WRITES = "after_confirmed_writes";
    /**
     * The range starts at or before the first stored event (or none is stored): the first event's own millisecond is
     * not proven either, since a capture that subscribed within it may have missed that millisecond's earlier events
     * (gap records are closed at both ends for the same reason).
     */
    public static final String BEFORE_FIRST_EVENT = "before_first_event";
    /** A stored chunk in the range could not be decoded. */
    public static final String UNREADABLE_CHUNKS = "unreadable_chunks";

    private CoverageRule() {
    }

    /** The reasons the range {@code [from, to)} is not complete, in the order above; empty when it is. */
    public static List<String> reasons(long fromMicros, long toMicros, boolean gaps, Long confirmedUntilMicros,
            Long firstMicros, int unreadableChunks) {
        List<String> reasons = new ArrayList<>(4);
        if (gaps) {
            reasons.add(GAPS);
        }
        if (confirmedUntilMicros == null || toMicros > confirmedUntilMicros) {
            reasons.add(AFTER_CONFIRMED_WRITES);
        }
        if (firstMicros == null || fromMicros <= firstMicros) {
            reasons.add(BEFORE_FIRST_EVENT);
        }
        if (unreadableChunks > 0) {
            reasons.add(UNREADABLE_CHUNKS);
        }
        return reasons;
    }
}
