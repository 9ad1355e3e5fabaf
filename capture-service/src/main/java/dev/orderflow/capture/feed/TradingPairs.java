package dev.orderflow.capture.feed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.storage.Frames;
import io.quarkus.logging.Log;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/** The pairs to capture: as configured, or for {@code all} every pair the exchange lists as trading. */
@ApplicationScoped
public class TradingPairs {
    /** Bitstamp allows at most this many subscriptions per connection; each pair takes two. */
    static final int MAX_PAIRS = 512;
    private static final Pattern PAIR = Pattern.compile("[a-z0-9]{2,40}");

    private final Vertx vertx;
    private final CaptureConfig.Feed config;

    public TradingPairs(Vertx vertx, CaptureConfig config) {
        this.vertx = vertx;
        this.config = config.feed();
    }

    public Future<List<String>> resolve() {
        List<String> configured = config.pairs().stream().map(p -> p.trim().toLowerCase(Locale.ROOT))
                .filter(p -> !p.isEmpty()).toList();
        if (configured.size() == 1 && configured.get(0).equals("all")) {
            return fetchEnabled().map(TradingPairs::checked);
        }
        try {
            return Future.succeededFuture(checked(configured));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private Future<List<String>> fetchEnabled() {
        String url = config.restUrl().replaceAll("/+$", "") + "/api/v2/trading-pairs-info/";
        HttpClient http = vertx.createHttpClient();
        return http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
                .compose(HttpClientRequest::send)
                .compose(response -> response.statusCode() == 200
                        ? response.body()
                        : Future.failedFuture(url + " answered HTTP " + response.statusCode()))
                .map(body -> enabledPairs(body.toString()))
                .andThen(done -> http.close());
    }

    /** {@code url_symbol} of every entry of a trading-pairs-info answer whose {@code trading} is {@code Enabled}. */
    static List<String> enabledPairs(String json) {
        JsonNode root;
        try {
            root = Frames.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("trading-pairs-info is not JSON", e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("trading-pairs-info is not a JSON array");
        }
        List<String> pairs = new ArrayList<>();
        for (JsonNode info : root) {
            if ("Enabled".equals(info.path("trading").asText()) && info.path("url_symbol").isTextual()) {
                pairs.add(info.path("url_symbol").asText());
            }
        }
        return pairs;
    }

    private static List<String> checked(List<String> pairs) {
        List<String> valid = pairs.stream().distinct().filter(p -> {
            boolean ok = PAIR.matcher(p).matches();
            if (!ok) {
                Log.errorf("Ignoring pair %s: not a Bitstamp url_symbol", p);
            }
            return ok;
        }).toList();
        if (valid.size() > MAX_PAIRS) {
            Log.errorf("%d pairs exceed the %d subscriptions one connection may hold; capturing the first %d",
                    valid.size(), MAX_PAIRS * 2, MAX_PAIRS);
            return valid.subList(0, MAX_PAIRS);
        }
        if (valid.isEmpty()) {
            throw new IllegalStateException("No pair to capture");
        }
        return valid;
    }
}
