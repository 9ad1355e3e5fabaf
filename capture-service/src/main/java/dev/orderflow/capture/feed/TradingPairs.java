package dev.orderflow.capture.feed;

import java.io.IOException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.Pairs;
import io.quarkus.logging.Log;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The pairs to capture: as configured, or for {@code all} every market {@code /api/v2/markets/} lists as trading,
 * spot and perpetual (the older {@code trading-pairs-info} is obsolete on the exchange and lists no perpetuals).
 * Names follow the one pair rule ({@link Pairs}).
 */
@ApplicationScoped
public class TradingPairs {
    /** Bitstamp allows at most this many subscriptions per connection; each pair takes two. */
    static final int MAX_PAIRS = 512;

    private final Vertx vertx;
    private final CaptureConfig.Feed config;

    public TradingPairs(Vertx vertx, CaptureConfig config) {
        this.vertx = vertx;
        this.config = config.feed();
    }

    public Future<List<String>> resolve() {
        String setting = String.join(",", config.pairs());
        if (Pairs.isAll(setting)) {
            return fetchEnabled().map(TradingPairs::checked);
        }
        try {
            return Future.succeededFuture(checked(Pairs.names(setting)));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private Future<List<String>> fetchEnabled() {
        String url = config.restUrl().replaceAll("/+$", "") + "/api/v2/markets/";
        HttpClient http = vertx.createHttpClient();
        return http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
                .compose(HttpClientRequest::send)
                .compose(response -> response.statusCode() == 200
                        ? response.body()
                        : Future.failedFuture(url + " answered HTTP " + response.statusCode()))
                .map(body -> enabledPairs(body.toString()))
                .andThen(done -> http.close());
    }

    /** The enabled markets of a {@code markets} (or {@code trading-pairs-info}) answer ({@link Pairs#enabledMarkets}). */
    static List<String> enabledPairs(String json) {
        JsonNode root;
        try {
            root = Frames.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the markets answer is not JSON", e);
        }
        return Pairs.enabledMarkets(root);
    }

    /** The pairs that follow the pair rule, once each, at most {@link #MAX_PAIRS} (the first ones). */
    static List<String> checked(List<String> pairs) {
        List<String> valid = pairs.stream().distinct().filter(p -> {
            boolean ok = Pairs.valid(p);
            if (!ok) {
                Log.errorf("Ignoring market %s: its name does not follow the pair rule %s", p, Pairs.PATTERN);
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
