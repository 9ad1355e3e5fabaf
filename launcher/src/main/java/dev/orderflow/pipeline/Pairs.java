package dev.orderflow.pipeline;

import java.util.List;

/** The {@code --pairs} value: a comma list such as {@code btcusd,ethusd}, or {@code all}. */
record Pairs(List<String> names, boolean all) {
    static final String DEFAULT = "btcusd,ethusd";

    static Pairs parse(String value) {
        if (dev.orderflow.storage.Pairs.isAll(value)) {
            return new Pairs(List.of(), true);
        }
        try {
            return new Pairs(dev.orderflow.storage.Pairs.parseList(value), false);
        } catch (IllegalArgumentException e) {
            throw new LaunchException("--pairs takes pair names separated by commas (btcusd,ethusd,btcusd-perp) or "
                    + "all: " + e.getMessage());
        }
    }

    /** The value of {@code CAPTURE_PAIRS}. */
    String captureValue() {
        return all ? "all" : String.join(",", names);
    }

    /** The pairs a simulator should generate: the named ones, or its all-pairs world (heavy-tailed rates). */
    List<String> forSimulator() {
        return all ? List.of("all") : names;
    }
}
