package dev.orderflow.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * What "complete" means for a range of one pair and channel, for the API ({@code coverage} of every answer) and the
 * archive (each hour's manifest) alike: complete when none of these reasons holds.
 */
public final class CoverageRule {
    /** A gap record touches the range. */
    public static final String GAPS = "gaps";
    /** The range reaches past the channel's confirmed watermark (or it has none). */
    public static final String AFTER_CONFIRMED_WRITES = "after_confirmed_writes";
    /**
     * The range starts before the first stored event (or none is stored). A range starting exactly at it counts: a
     * capture that subscribed within that millisecond may have missed its earlier events, which only a closed bound
     * here would say (the README's "Known and not fixed yet").
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
        if (firstMicros == null || fromMicros < firstMicros) {
            reasons.add(BEFORE_FIRST_EVENT);
        }
        if (unreadableChunks > 0) {
            reasons.add(UNREADABLE_CHUNKS);
        }
        return reasons;
    }
}
