package dev.orderflow.capture.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.journal.Journal;
import dev.orderflow.capture.journal.Records;
import dev.orderflow.storage.BadFrameItems;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Work DynamoDB refused for good (an invalid item, a bug), kept on the journal's disk instead of given up: one JSON
 * line per job in {@code <journal dir>/dead-letter/dead-letter-<date>.jsonl} with the reason and the journal
 * records it was built from. Once the cause is fixed, a start with {@code capture.dead-letter.replay=true}
 * ({@code ./pipeline capture --replay-dead-letters}) puts every record back on the write path and renames the file
 * to {@code .replayed}.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // its counter shows from the start, at 0
public class DeadLetters {
    private static final String SUFFIX = ".jsonl";

    private final Path dir;
    private final Counter kept;

    @Inject
    public DeadLetters(CaptureConfig config, MeterRegistry registry) {
        this(Path.of(config.journal().dir()).resolve("dead-letter"), registry);
    }

    public DeadLetters(Path dir, MeterRegistry registry) {
        this.dir = dir;
        this.kept = Counter.builder("capture.items.dead.lettered")
                .description("Jobs DynamoDB refused for good, kept in the dead-letter area (see the README)")
                .register(registry);
    }

    public Path dir() {
        return dir;
    }

    /** Keeps the job's records with the reason; {@code false} when even that failed (the journal keeps them). */
    public synchronized boolean keep(Job job, String key, String reason) {
        ObjectNode line = Frames.MAPPER.createObjectNode();
        line.put("key", key).put("reason", reason).put("at", Instant.now().toString());
        ArrayNode records = line.putArray("records");
        for (Record r : records(job)) {
            records.addObject().put("type", r.type).put("received", r.received)
                    .put("payload", Base64.getEncoder().encodeToString(r.payload));
        }
        Path file = dir.resolve("dead-letter-" + LocalDate.now(ZoneOffset.UTC) + SUFFIX);
        try {
            Files.createDirectories(dir);
            Files.write(file, (Frames.toJson(line) + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            Log.errorf("Cannot keep %s in the dead-letter area %s (%s); it stays in the journal", key, dir, e);
            return false;
        }
        kept.increment();
        Log.errorf("DynamoDB refused %s for good (%s): kept in %s; replay it with --replay-dead-letters once fixed",
                key, reason, file);
        return true;
    }

    /**
     * Puts every kept record back on the write path, then renames each file to {@code .replayed}. Records go back
     * through the journal; when it takes no more (full), the file stays as it is and the replay stops, to be run
     * again (the records already put back are stored once: the windows' merges keep each event once).
     */
    public void replayInto(Intake intake) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            Log.errorf("Cannot list the dead-letter area %s: %s", dir, e);
            return;
        }
        for (Path file : files) {
            long count = 0;
            try (BufferedReader in = Files.newBufferedReader(file)) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isBlank()) {
                        continue;
                    }
                    for (JsonNode r : Frames.MAPPER.readTree(line).path("records")) {
                        if (!intake.again((byte) r.path("type").asInt(), r.path("received").asLong(),
                                Base64.getDecoder().decode(r.path("payload").asText()))) {
                            Log.errorf("Replaying %s: the journal took %d records and then no more (full); the file"
                                    + " stays, replay it again once the journal has room", file, count);
                            return;
                        }
                        count++;
                    }
                }
                Files.move(file, file.resolveSibling(file.getFileName() + ".replayed"));
                Log.infof("Replayed %d dead-lettered records from %s", count, file);
            } catch (IOException | RuntimeException e) {
                Log.errorf("Cannot replay %s: %s", file, e);
            }
        }
    }

    private record Record(byte type, long received, byte[] payload) {
    }

    private static List<Record> records(Job job) {
        List<Record> out = new ArrayList<>();
        if (job instanceof Job.Window w) {
            String wire = w.channel().wireName(w.pair());
            for (Held h : w.events()) {
                out.add(new Record(Journal.EVENT, h.receivedMicros(), Records.event(h.microtimestamp(), wire, h.frame())));
            }
        } else if (job instanceof Job.Gap g) {
            out.add(new Record(Journal.GAP, g.receivedMicros(), Intake.gapJson(g.gap())));
        } else if (job instanceof Job.Bad b) {
            out.add(new Record(Journal.BAD, b.receivedMicros(), Records.bad(b.reason(), b.raw())));
        } // snapshots (Job.Items) are fetched again periodically: nothing to replay
        return out;
    }

    static String key(Job job) {
        if (job instanceof Job.Window w) {
            return TableLayout.chunkPk(w.pair(), w.channel()) + " " + TableLayout.chunkSk(w.windowStartMicros(), w.part());
        } else if (job instanceof Job.Gap g) {
            return GapItems.gapsPk(g.gap().pair(), g.gap().channel()) + " "
                    + GapItems.gapSk(g.gap().fromMicros(), g.gap().kind(), g.gap().hosts());
        } else if (job instanceof Job.Bad b) {
            return BadFrameItems.badFramesPk(b.receivedMicros()) + " " + b.receivedMicros();
        }
        return ((Job.Items) job).what();
    }
}
