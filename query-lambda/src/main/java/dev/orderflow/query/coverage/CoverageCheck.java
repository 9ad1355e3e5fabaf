package dev.orderflow.query.coverage;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.gaps.GapStore;
import dev.orderflow.query.pairs.Catalog;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.CoverageRule;
import dev.orderflow.storage.GapRecord;

/** Decides the {@link Coverage} of a range from the gap records and the catalog. */
@ApplicationScoped
public class CoverageCheck {
    private final GapStore gaps;
    private final QueryConfig config;

    public CoverageCheck(GapStore gaps, QueryConfig config) {
        this.gaps = gaps;
        this.config = config;
    }

    /**
     * @param entry      the catalog entry of the pair and channel, or {@code null} when there is none
     * @param unreadable stored chunks in the range that could not be decoded
     */
    public Coverage of(String pair, Channel channel, long fromMicros, long toMicros, Catalog.Entry entry,
            int unreadable) {
        int max = config.gaps().maxInCoverage();
        List<GapRecord> found = gaps.intersecting(pair, channel, fromMicros, toMicros, max,
                entry == null ? Map.of() : entry.hosts());
        boolean truncated = found.size() > max;
        List<GapRecord> listed = truncated ? found.subList(0, max) : found;
        Long confirmed = entry == null ? null : entry.confirmedUntilMicros();
        Long first = entry == null ? null : entry.firstMicros();
        List<String> reasons = CoverageRule.reasons(fromMicros, toMicros, !found.isEmpty(), confirmed, first,
                unreadable);
        return new Coverage(pair, channel, fromMicros, toMicros, reasons.isEmpty(), confirmed, List.copyOf(reasons),
                List.copyOf(listed), truncated);
    }
}
