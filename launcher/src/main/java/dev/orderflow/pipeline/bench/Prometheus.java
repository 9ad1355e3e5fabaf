package dev.orderflow.pipeline.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads values out of a Prometheus text exposition (the capture service's {@code /q/metrics}). */
public final class Prometheus {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;

    public Prometheus(String text) {
        this.text = text;
    }

    /**
     * The sum of every sample named {@code name} whose labels include {@code labels}; 0 when there is none
     * (a counter not yet incremented is not exported).
     */
    public double sum(String name, Map<String, String> labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.find() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> present = labels(m.group(3));
            if (present.entrySet().containsAll(labels.entrySet())) {
                double value = Double.parseDouble(m.group(4));
                if (!Double.isNaN(value)) {
                    total += value;
                }
            }
        }
        return total;
    }

    public double sum(String name) {
        return sum(name, Map.of());
    }

    private static Map<String, String> labels(String body) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (body != null) {
            Matcher m = LABEL.matcher(body);
            while (m.find()) {
                labels.put(m.group(1), m.group(2));
            }
        }
        return labels;
    }
}
