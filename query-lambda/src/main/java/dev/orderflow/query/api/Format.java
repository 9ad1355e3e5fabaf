package dev.orderflow.query.api;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The answer formats of the list endpoints, chosen by {@code format} or else by the {@code Accept} header. */
public enum Format {
    JSON("json", "application/json"),
    NDJSON("ndjson", "application/x-ndjson"),
    CSV("csv", "text/csv; charset=utf-8");

    private final String apiName;
    private final String mediaType;

    Format(String apiName, String mediaType) {
        this.apiName = apiName;
        this.mediaType = mediaType;
    }

    public String apiName() {
        return apiName;
    }

    public String mediaType() {
        return mediaType;
    }

    /**
     * {@code format} wins; without it the best {@code Accept} match (q-values, then the more specific range),
     * JSON when there is no header or only wildcards; 406 when nothing acceptable remains.
     */
    public static Format negotiate(Optional<String> format, List<String> accept) {
        if (format.isPresent()) {
            String name = format.get().toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (f.apiName.equals(name)) {
                    return f;
                }
            }
            throw Problem.badParameter("format", "'format' must be one of json, ndjson, csv.");
        }
        if (accept == null || accept.isEmpty()) {
            return JSON;
        }
        Format best = null;
        double bestQ = 0;
        int bestSpecificity = -1;
        boolean any = false;
        for (Format f : values()) {
            double q = -1;
            int specificity = -1;
            for (String header : accept) {
                if (header == null) {
                    continue;
                }
                for (String range : header.split(",")) {
                    if (range.isBlank()) {
                        continue;
                    }
                    any = true;
                    int s = f.matches(mediaRange(range));
                    if (s > specificity) {
                        specificity = s;
                        q = quality(range);
                    }
                }
            }
            if (specificity >= 0 && q > 0 && (q > bestQ || (q == bestQ && specificity > bestSpecificity))) {
                best = f;
                bestQ = q;
                bestSpecificity = specificity;
            }
        }
        if (!any) {
            return JSON;
        }
        if (best == null) {
            throw Problem.notAcceptable("Accept allows none of application/json, application/x-ndjson, text/csv "
                    + "(or use the 'format' parameter).");
        }
        return best;
    }

    /** How specifically a media range names this format: 2 exactly, 1 by type wildcard, 0 by {@code *}/{@code *}, -1 not. */
    private int matches(String range) {
        switch (range) {
            case "*/*", "*" -> {
                return 0;
            }
            case "application/*" -> {
                return this == CSV ? -1 : 1;
            }
            case "text/*" -> {
                return this == CSV ? 1 : -1;
            }
            default -> {
                boolean exact = switch (this) {
                    case JSON -> range.equals("application/json");
                    case NDJSON -> range.equals("application/x-ndjson") || range.equals("application/ndjson")
                            || range.equals("application/jsonl") || range.equals("application/x-jsonlines");
                    case CSV -> range.equals("text/csv");
                };
                return exact ? 2 : -1;
            }
        }
    }

    private static String mediaRange(String range) {
        int semicolon = range.indexOf(';');
        return (semicolon < 0 ? range : range.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static double quality(String range) {
        for (String param : range.split(";")) {
            String p = param.strip().toLowerCase(Locale.ROOT);
            if (p.startsWith("q=")) {
                try {
                    double q = Double.parseDouble(p.substring(2).strip());
                    return q >= 0 && q <= 1 ? q : 1;
                } catch (NumberFormatException e) {
                    return 1;
                }
            }
        }
        return 1;
    }
}
