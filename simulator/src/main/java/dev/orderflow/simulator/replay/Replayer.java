package dev.orderflow.simulator.replay;

import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.world.MarketState;
import dev.orderflow.simulator.world.Publisher;
import dev.orderflow.simulator.world.Source;
import io.vertx.core.Vertx;

/**
 * Plays a {@link Recording} once, in order, at the recorded pace divided by {@code speed} (0 = as fast as possible,
 * in batches so REST calls still get through). REST bodies that come before the first frame are served from the
 * start; playback begins {@value #START_DELAY_MILLIS} ms after a client first subscribes, so that a client's batch
 * of subscriptions is in place before the first frame.
 */
public final class Replayer implements Source {
    static final long START_DELAY_MILLIS = 500;
    private static final int BATCH = 2000;
    private static final List<String> CHANNEL_PREFIXES = List.of("live_orders_", "live_trades_", "diff_order_book_",
            "detail_order_book_", "full_order_book_", "order_book_");

    private final Vertx vertx;
    private final Publisher publisher;
    private final MarketState market;
    private final Consumer<Runnable> whenFirstSubscribed;
    private final Recording recording;
    private final double speed;
    private final long baseMicros;
    private String state = "waiting";
    private int next;
    private long startNanos;
    private long lastDueNanos;
    private long pausedAtNanos;
    private boolean paused;
    private boolean scheduled;
    private long timer = -1;

    /**
     * @param whenFirstSubscribed registers an action to run when a client first subscribes
     */
    public Replayer(Vertx vertx, Publisher publisher, MarketState market, Consumer<Runnable> whenFirstSubscribed,
                    Recording recording, double speed) {
        this.vertx = vertx;
        this.publisher = publisher;
        this.market = market;
        this.whenFirstSubscribed = whenFirstSubscribed;
        this.recording = recording;
        this.speed = speed;
        this.baseMicros = recording.items().stream().mapToLong(Recording.Item::micros).filter(m -> m >= 0)
                .findFirst().orElse(-1);
        if (baseMicros > 0) {
            market.startClock(baseMicros - 1);
        }
        for (String channel : recording.channels()) {
            CHANNEL_PREFIXES.stream().filter(channel::startsWith).findFirst()
                    .ifPresent(prefix -> market.addPair(channel.substring(prefix.length())));
        }
    }

    @Override
    public void start() {
        List<Recording.Item> items = recording.items();
        while (next < items.size() && items.get(next).restKey() != null) {
            play(items.get(next++));
        }
        whenFirstSubscribed.accept(() -> vertx.setTimer(START_DELAY_MILLIS, id -> {
            state = paused ? "paused" : "playing";
            startNanos = System.nanoTime();
            lastDueNanos = startNanos;
            pausedAtNanos = startNanos;
            step();
        }));
    }

    private void step() {
        scheduled = false;
        timer = -1;
        if (paused || state.equals("waiting")) {
            return;
        }
        List<Recording.Item> items = recording.items();
        for (int done = 0; next < items.size(); done++) {
            if (done == BATCH) {
                scheduled = true;
                vertx.runOnContext(v -> step());
                return;
            }
            Recording.Item item = items.get(next);
            long due = dueNanos(item);
            long now = System.nanoTime();
            if (due > now) {
                scheduled = true;
                timer = vertx.setTimer(Math.max(1, (due - now) / 1_000_000), id -> step());
                return;
            }
            play(item);
            next++;
        }
        state = "done";
    }

    private long dueNanos(Recording.Item item) {
        if (speed > 0 && item.micros() >= 0 && baseMicros >= 0) {
            lastDueNanos = startNanos + (long) ((item.micros() - baseMicros) * 1000 / speed);
        }
        return lastDueNanos;
    }

    private void play(Recording.Item item) {
        if (item.restKey() != null) {
            market.seed(item.restKey(), item.text(), item.micros());
        } else {
            publisher.publish(item.channel(), null, item.text());
        }
    }

    @Override
    public void pause() {
        if (!paused) {
            paused = true;
            pausedAtNanos = System.nanoTime();
            if (state.equals("playing")) {
                state = "paused";
            }
        }
    }

    @Override
    public void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        if (state.equals("paused")) {
            long pausedFor = System.nanoTime() - pausedAtNanos;
            startNanos += pausedFor;
            lastDueNanos += pausedFor;
            state = "playing";
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
                scheduled = false;
            }
            if (!scheduled) {
                step();
            }
        }
    }

    @Override
    public ObjectNode emit(String pair, int count) {
        throw new UnsupportedOperationException("emit works with the synthetic world only; this simulator replays "
                + recording.file());
    }

    @Override
    public void describe(ObjectNode stats) {
        stats.put("mode", "replay");
        stats.put("paused", paused);
        ObjectNode replay = stats.putObject("replay");
        replay.put("file", recording.file().toString());
        replay.put("format", recording.format());
        replay.put("state", state);
        replay.put("items", recording.items().size());
        replay.put("played", next);
        replay.put("speed", speed);
        replay.put("skipped_lines", recording.skippedLines());
    }

    @Override
    public void stop() {
        paused = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
