package dev.orderflow.query.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Relative URLs for {@code Link} headers and bodies; every value is percent-encoded (commas included). */
public final class Links {
    private Links() {
    }

    /** {@code path?k=v&…} for the entries whose value is not {@code null}, in map order. */
    public static String url(String path, Map<String, String> params) {
        StringBuilder url = new StringBuilder(path);
        char separator = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (e.getValue() != null) {
                url.append(separator).append(e.getKey()).append('=')
                        .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
                separator = '&';
            }
        }
        return url.toString();
    }

    /** {@code <url>; rel="rel"}. */
    public static String header(String url, String rel) {
        return "<" + url + ">; rel=\"" + rel + "\"";
    }
}
