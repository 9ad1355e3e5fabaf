package dev.orderflow.simulator.world;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Vertx;

/**
 * Runs one {@link Market} per pair in real time: {@code rate} live_orders events per second per pair (for
 * {@code all}, rates and bursts from {@link PairRates}), spaced evenly with ±50 % jitter, checked every 5 ms. Events of one action (a taker and its fills) share a timestamp. Times are
 * the wall clock in whole milliseconds; everything else comes from the seed. After a stall of over a second the
 * schedule restarts from now instead of bursting.
 */
public final class SyntheticSource implements Source {
    private static final long TICK_MILLIS = 5;
    private static final long MAX_LAG_NANOS = 1_000_000_000L;

    private static final class Lane {
        final Market market;
        final SplittableRandom jitter;
        final double rate;
        final PairRates.Bursts bursts;
        long nextDueNanos;

        Lane(Market market, SplittableRandom jitter, double rate, PairRates.Bursts bursts) {
            this.market = market;
            this.jitter = jitter;
            this.rate = rate;
            this.bursts = bursts;
        }
    }

    private final Vertx vertx;
    private final Publisher publisher;
    private final double rate;
    private final long seed;
    private final Map<String, Lane> lanes = new LinkedHashMap<>();
    private final long originNanos = System.nanoTime();
    private final long originMillis = System.currentTimeMillis();
    private long timer = -1;
    private boolean paused;

    /** Builds each pair's market and puts its initial book into {@code state}. */
    public SyntheticSource(Vertx vertx, Publisher publisher, MarketState state, List<String> pairs, long seed,
                           double rate) {
        this.vertx = vertx;
        this.publisher = publisher;
        this.rate = rate;
        this.seed = seed;
        boolean all = pairs.equals(List.of(PairRates.ALL));
        PairRates.rates(pairs, rate).forEach((pair, pairRate) -> {
            Market market = new Market(PairSpec.of(pair), seed, originMillis * 1000);
            market.bookData().forEach(data -> state.seedOrder(pair, data, originMillis * 1000));
            lanes.put(pair, new Lane(market, new SplittableRandom(seed ^ pair.hashCode()), pairRate,
                    new PairRates.Bursts(seed * 31 + pair.hashCode(), all)));
        });
    }

    @Override
    public void start() {
        if (rate > 0) {
            restartSchedule();
            timer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
        }
    }

    private void tick() {
        if (paused) {
            return;
        }
        long now = System.nanoTime();
        for (Lane lane : lanes.values()) {
            if (now - lane.nextDueNanos > MAX_LAG_NANOS) {
                lane.nextDueNanos = now;
            }
            while (lane.nextDueNanos <= now) {
                long micros = wholeMillisMicros(lane.nextDueNanos);
                do {
                    publish(lane.market.emitNext(micros));
                    double current = lane.rate * lane.bursts.factor(micros / 1000);
                    lane.nextDueNanos += (long) (1e9 / current * (0.5 + lane.jitter.nextDouble()));
                } while (lane.market.nextIsContinuation());
            }
        }
    }

    /** The whole millisecond of the wall clock at {@code nanos} (a {@link System#nanoTime} reading), in µs. */
    private long wholeMillisMicros(long nanos) {
        return (originMillis + (nanos - originNanos) / 1_000_000) * 1000;
    }

    /** Now on the clock the schedule stamps by, in whole milliseconds (µs), so that emitted events keep its order. */
    private long nowMicros() {
        return wholeMillisMicros(System.nanoTime());
    }

    private void publish(List<Frame> frames) {
        for (Frame f : frames) {
            publisher.publish(f.channel(), f.node(), f.text());
        }
    }

    /**
     * Each action is stamped with the millisecond it is made in, on the schedule's clock: a burst spreads over the
     * milliseconds it takes to make (some tens of events each here, as in the exchange's busiest moments). Until
     * 2026-12-05 a call stamped all its events with one millisecond, thousands of them, which no recording shows.
     */
    @Override
    public ObjectNode emit(String pair, int count) {
        Lane lane = lanes.get(pair);
        if (lane == null) {
            throw new IllegalArgumentException("unknown pair " + pair + "; configured: " + lanes.keySet());
        }
        Map<String, Integer> events = new LinkedHashMap<>();
        int trades = 0;
        String lastEventId = null;
        for (int i = 0; i < count; i++) {
            List<Frame> frames = lane.market.emitNext(nowMicros());
            publish(frames);
            ObjectNode order = frames.get(0).node();
            events.merge(order.get("event").asText(), 1, Integer::sum);
            lastEventId = order.get("event_id").asText();
            trades += frames.size() - 1;
        }
        ObjectNode answer = Json.object();
        answer.put("pair", pair);
        answer.put("count", count);
        ObjectNode byEvent = answer.putObject("events");
        events.forEach(byEvent::put);
        answer.put("trades", trades);
        answer.put("last_event_id", lastEventId);
        return answer;
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
        restartSchedule();
    }

    private void restartSchedule() {
        long now = System.nanoTime();
        lanes.values().forEach(lane -> lane.nextDueNanos = now);
    }

    @Override
    public void describe(ObjectNode stats) {
        stats.put("mode", "synthetic");
        stats.put("paused", paused);
        stats.put("rate", rate);
        stats.put("seed", seed);
    }

    @Override
    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
