package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.orderflow.storage.book.SnapshotAlignment;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The alignment margin, measured on real recordings (cryptofeed's raw recorder: REST order books fetched while the
 * {@code diff_order_book} stream of the same pairs was recorded). For each book: how far its stamp trails the stream
 * (the latest cut of the stream the book is consistent with, after its stamp), and how old it was on arrival.
 */
@Timeout(60)
class SnapshotAlignmentRecordedTest {
    private static final List<List<String>> RECORDINGS = List.of(
            List.of("cryptofeed__7136ce8d__BITSTAMP-b88f8b.0"),
            List.of("cryptofeed__be4e5c81__BITSTAMP.http.18.0", "cryptofeed__be4e5c81__BITSTAMP.ws.19.0"),
            List.of("cryptofeed__78508055__BITSTAMP.http.0.0", "cryptofeed__78508055__BITSTAMP.ws.1.0"));
    private static final Pattern REST = Pattern.compile("(\\S+) -> (\\d+(?:\\.\\d+)?): (.*)");
    private static final Pattern RECEIVED = Pattern.compile("(\\d+(?:\\.\\d+)?): (.*)");
    private static final long MILLI = 1000;

    private record Book(String pair, long arrivedMicros, JsonNode body) {
        long stamp() {
            return Long.parseLong(body.get("microtimestamp").asText());
        }
    }

    private record Diff(long stamp, JsonNode data) {
    }

    @Test
    void shouldCoverHowFarRecordedRestBooksTrailTheStream() throws IOException {
        String dir = System.getProperty("samples.dir");
        Assumptions.assumeTrue(dir != null && Files.isDirectory(Paths.get(dir)),
                "Skipped: the recorded samples are absent (samples.dir = " + dir + ")");
        int books = 0;
        int provedAtTheirStamp = 0;
        long maxTrailMicros = 0;
        long minAgeMicros = Long.MAX_VALUE;
        long maxAgeMicros = 0;
        for (List<String> files : RECORDINGS) {
            List<Book> rest = new ArrayList<>();
            Map<String, List<Diff>> diffs = new HashMap<>();
            for (String file : files) {
                read(Paths.get(dir, file), rest, diffs);
            }
            for (Book book : rest) {
                List<Diff> stream = new ArrayList<>(diffs.getOrDefault(book.pair(), List.of()));
                stream.sort((a, b) -> Long.compare(a.stamp(), b.stamp()));
                books++;
                minAgeMicros = Math.min(minAgeMicros, book.arrivedMicros() - book.stamp());
                maxAgeMicros = Math.max(maxAgeMicros, book.arrivedMicros() - book.stamp());
                maxTrailMicros = Math.max(maxTrailMicros, trail(book, stream));
                if (mismatches(book, stream, book.stamp() - MILLI) > 0) {
                    provedAtTheirStamp++; // the update stamped at the book's stamp is in it: the book is not older
                }
            }
        }
        System.out.printf("%d recorded REST books: stamps trail the stream by at most %d µs; books arrived %d–%d µs "
                + "after their stamp; %d show the update stamped at their own stamp%n", books, maxTrailMicros,
                minAgeMicros, maxAgeMicros, provedAtTheirStamp);
        assertEquals(30, books, "the three recordings hold 30 books");
        assertTrue(provedAtTheirStamp >= 5, "the measurement sees a one-millisecond offset where there is one");
        // live_orders events carry whole milliseconds: the margin covers the trail plus that millisecond
        assertTrue(SnapshotAlignment.DEFAULT_MARGIN.toNanos() / 1000 >= maxTrailMicros + MILLI,
                "margin " + SnapshotAlignment.DEFAULT_MARGIN + " against a trail of " + maxTrailMicros + " µs");
        assertTrue(maxAgeMicros > 2_000_000 && minAgeMicros > 0, "books arrive late: " + minAgeMicros + "–"
                + maxAgeMicros + " µs after their stamp");
    }

    /**
     * How far after its stamp the book's content reaches: the earliest cut of the stream at or after the stamp that
     * the book agrees with, minus the stamp (every cut before it disagrees with the book somewhere).
     */
    private static long trail(Book book, List<Diff> stream) {
        List<Long> cuts = new ArrayList<>();
        cuts.add(book.stamp());
        stream.stream().map(Diff::stamp).filter(s -> s > book.stamp()).forEach(cuts::add);
        for (long cut : cuts) {
            if (mismatches(book, stream, cut) == 0) {
                return cut - book.stamp();
            }
        }
        throw new AssertionError(book.pair() + ": no cut of the stream agrees with the book");
    }

    /** Price levels whose last update stamped at or before {@code cut} disagrees with the book. */
    private static int mismatches(Book book, List<Diff> stream, long cut) {
        Map<String, BigDecimal> levels = new HashMap<>();
        for (Diff d : stream) {
            if (d.stamp() > cut) {
                break;
            }
            for (String side : List.of("bids", "asks")) {
                d.data().get(side).forEach(row -> levels.put(side + row.get(0).asText(),
                        new BigDecimal(row.get(1).asText())));
            }
        }
        Map<String, BigDecimal> inBook = new HashMap<>();
        for (String side : List.of("bids", "asks")) {
            book.body().get(side).forEach(row -> inBook.put(side + row.get(0).asText(),
                    new BigDecimal(row.get(1).asText())));
        }
        int bad = 0;
        for (Map.Entry<String, BigDecimal> level : levels.entrySet()) {
            BigDecimal held = inBook.get(level.getKey());
            boolean agrees = level.getValue().signum() == 0 ? held == null
                    : held != null && held.compareTo(level.getValue()) == 0;
            bad += agrees ? 0 : 1;
        }
        return bad;
    }

    private static void read(Path file, List<Book> books, Map<String, List<Diff>> diffs) throws IOException {
        for (String line : Files.readAllLines(file)) {
            Matcher rest = REST.matcher(line);
            if (rest.matches() && rest.group(1).contains("/order_book/")) {
                String[] path = rest.group(1).replaceAll("/+$", "").split("/");
                books.add(new Book(path[path.length - 1], micros(rest.group(2)), Frames.MAPPER.readTree(rest.group(3))));
                continue;
            }
            Matcher received = RECEIVED.matcher(line);
            if (!received.matches() || !received.group(2).startsWith("{")) {
                continue;
            }
            JsonNode frame = Frames.MAPPER.readTree(received.group(2));
            String channel = frame.path("channel").asText("");
            if (channel.startsWith("diff_order_book_") && "data".equals(frame.path("event").asText())) {
                diffs.computeIfAbsent(channel.substring("diff_order_book_".length()), p -> new ArrayList<>())
                        .add(new Diff(Long.parseLong(frame.get("data").get("microtimestamp").asText()),
                                frame.get("data")));
            }
        }
    }

    private static long micros(String epochSeconds) {
        return new BigDecimal(epochSeconds).movePointRight(6).longValue();
    }
}
