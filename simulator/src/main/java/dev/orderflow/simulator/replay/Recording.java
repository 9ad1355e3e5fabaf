package dev.orderflow.simulator.replay;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.tukaani.xz.XZInputStream;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.simulator.world.Json;

/**
 * A recording loaded for replay, in one of three formats, detected from the first line (xz-compressed files are
 * recognised by their magic bytes):
 * <ul>
 *   <li>{@code cryptofeed}: the cryptofeed raw recorder. {@code EPOCH: FRAME} and {@code wss://… -> EPOCH: FRAME}
 *       lines are received WebSocket frames and are replayed verbatim (subscription acks and other {@code bts:}
 *       frames are left out: the simulator sends its own); {@code https://…/api/v2/PATH -> EPOCH: BODY} lines seed
 *       the REST answer for PATH at that point of the replay; {@code <-} (sent), {@code <->} (connect) and
 *       {@code configuration:} lines are ignored;</li>
 *   <li>{@code raw}: one JSON frame per line, replayed verbatim, timed by {@code data.microtimestamp} where present
 *       (a {@code {"msg":{…}}} wrapper without {@code event}, as in the fixtures file, is unwrapped);</li>
 *   <li>{@code ob-analytics}: the 2015 btcusd log ({@code EPOCHMS event {json}}), converted by
 *       {@link ObAnalyticsLog}.</li>
 * </ul>
 * Lines that cannot be read are counted in {@link #skippedLines()}, never fatal.
 *
 * @param items        what to play, in file order
 * @param channels     channels that have frames, in order of first appearance
 * @param skippedLines lines that could not be read
 */
public record Recording(Path file, String format, List<Item> items, Set<String> channels, int skippedLines) {

    /**
     * One thing to play.
     *
     * @param micros  recorded time in µs, or -1 when unknown (played right after the previous item)
     * @param channel channel of a WebSocket frame, or {@code null} for a REST body
     * @param text    the frame or body, exactly as it will be served
     * @param restKey for a REST body the path after {@code /api/v2/} without trailing slash, e.g.
     *                {@code order_book/btcusd}; else {@code null}
     */
    public record Item(long micros, String channel, String text, String restKey) {
    }

    private static final Pattern URL_LINE = Pattern.compile("(\\S+) (<-|->|<->) (\\d+(?:\\.\\d+)?)(?:: (.*))?");
    private static final Pattern RECEIVED_LINE = Pattern.compile("(\\d+(?:\\.\\d+)?): (.*)");
    private static final Pattern OB_LINE = Pattern.compile("\\d{10,13} [a-z_]+ \\{.*");

    /** Loads and converts a recording. */
    public static Recording load(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        }
        String first = lines.stream().filter(l -> !l.isBlank()).findFirst()
                .orElseThrow(() -> new IOException("empty recording: " + file));
        Builder b = new Builder();
        if (OB_LINE.matcher(first).matches()) {
            ObAnalyticsLog.convert(lines, b.items);
            b.items.stream().filter(i -> i.channel() != null).forEach(i -> b.channels.add(i.channel()));
            return b.build(file, "ob-analytics");
        }
        if (first.startsWith("configuration:") || URL_LINE.matcher(first).matches()
                || RECEIVED_LINE.matcher(first).matches()) {
            lines.forEach(b::cryptofeedLine);
            return b.build(file, "cryptofeed");
        }
        if (first.startsWith("{")) {
            lines.forEach(b::rawLine);
            return b.build(file, "raw");
        }
        throw new IOException("not a known recording format (cryptofeed, raw JSON lines, ob-analytics): " + file);
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        in.mark(6);
        byte[] magic = in.readNBytes(6);
        in.reset();
        boolean xz = magic.length == 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z'
                && magic[3] == 'X' && magic[4] == 'Z' && magic[5] == 0;
        return xz ? new XZInputStream(in) : in;
    }

    private static final class Builder {
        final List<Item> items = new ArrayList<>();
        final Set<String> channels = new LinkedHashSet<>();
        int skipped;

        void cryptofeedLine(String line) {
            if (line.isBlank() || line.startsWith("configuration:")) {
                return;
            }
            Matcher m = URL_LINE.matcher(line);
            if (m.matches()) {
                if (m.group(2).equals("->") && m.group(4) != null) {
                    long micros = epochMicros(m.group(3));
                    if (m.group(1).startsWith("ws")) {
                        frame(micros, m.group(4));
                    } else {
                        rest(micros, m.group(1), m.group(4));
                    }
                }
                return;
            }
            m = RECEIVED_LINE.matcher(line);
            if (m.matches()) {
                frame(epochMicros(m.group(1)), m.group(2));
            } else {
                skipped++;
            }
        }

        void rawLine(String line) {
            if (line.isBlank()) {
                return;
            }
            JsonNode node = Json.parseOrNull(line);
            if (node != null && !node.has("event") && node.path("msg").isObject()) {
                node = node.get("msg");
                line = Json.text(node);
            }
            long micros = node == null ? -1 : node.path("data").path("microtimestamp").asLong(-1);
            frame(micros > 0 ? micros : -1, line);
        }

        private void frame(long micros, String text) {
            JsonNode node = Json.parseOrNull(text);
            if (node == null || !node.isObject()) {
                skipped++;
                return;
            }
            String channel = node.path("channel").asText("");
            if (channel.isEmpty() || node.path("event").asText("").startsWith("bts:")) {
                return;
            }
            items.add(new Item(micros, channel, text, null));
            channels.add(channel);
        }

        private void rest(long micros, String url, String body) {
            int at = url.indexOf("/api/v2/");
            if (at < 0) {
                skipped++;
                return;
            }
            String key = url.substring(at + "/api/v2/".length()).replaceFirst("[?#].*$", "").replaceFirst("/+$", "");
            items.add(new Item(micros, null, body, key));
        }

        Recording build(Path file, String format) {
            return new Recording(file, format, List.copyOf(items),
                    Collections.unmodifiableSet(new LinkedHashSet<>(channels)), skipped);
        }
    }

    private static long epochMicros(String seconds) {
        return new BigDecimal(seconds).movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
