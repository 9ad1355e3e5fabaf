package dev.orderflow.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The {@code --pairs} value: a comma list such as {@code btcusd,ethusd}, or {@code all}. */
record Pairs(List<String> names, boolean all) {
    static final String DEFAULT = "btcusd,ethusd";

    static Pairs parse(String value) {
        String trimmed = value.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("all")) {
            return new Pairs(List.of(), true);
        }
        List<String> names = Arrays.stream(trimmed.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (names.isEmpty() || !names.stream().allMatch(n -> n.matches("[a-z0-9][a-z0-9_-]*"))) {
            throw new LaunchException("--pairs takes lowercase pair names separated by commas (btcusd,ethusd) or all: "
                    + value);
        }
        return new Pairs(names, false);
    }

    /** The value of {@code CAPTURE_PAIRS}. */
    String captureValue() {
        return all ? "all" : String.join(",", names);
    }

    /** The pairs a simulator should generate: the named ones, or its defaults for {@code all}. */
    List<String> forSimulator(List<String> simulatorDefaults) {
        return all ? simulatorDefaults : names;
    }
}
