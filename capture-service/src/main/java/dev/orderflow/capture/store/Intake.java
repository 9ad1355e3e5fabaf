package dev.orderflow.capture.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.capture.journal.Journal;
import dev.orderflow.capture.journal.Records;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapRecord;

/**
 * Where the protocol step's output enters the write path, in one line: each record is journaled, then offered to
 * the window step ({@link Windows#offer}) with its journal position. The same decoding turns journal records back
 * into window input when {@link Windows#catchUp} reads them. One lock orders the two, so that no record is seen
 * twice or missed when the window step switches from reading the journal to the live path.
 */
@ApplicationScoped
public class Intake implements Windows.JournalReader {
    /** Rough memory cost of a gap record held until stored. */
    private static final int GAP_BYTES = 512;

    private final Journal journal;
    private final Windows windows;

    public Intake(Journal journal, Windows windows) {
        this.journal = journal;
        this.windows = windows;
    }

    /** An exchange event; {@code false} when it is lost (neither journaled nor room in memory). */
    public synchronized boolean event(Channel.WireChannel channel, long microtimestamp, byte[] frame, long received) {
        long seq = journal.append(Journal.EVENT, received,
                Records.event(microtimestamp, channel.channel().wireName(channel.pair()), frame));
        return windows.offer(new Input.Event(channel.pair(), channel.channel(),
                new Held(seq, received, microtimestamp, frame)));
    }

    /** A frame the capture cannot use, kept aside. */
    public synchronized boolean bad(String reason, byte[] raw, long received) {
        long seq = journal.append(Journal.BAD, received, Records.bad(reason, raw));
        return windows.offer(badInput(seq, received, reason, raw));
    }

    /** A gap record. */
    public synchronized boolean gap(GapRecord gap) {
        long seq = journal.append(Journal.GAP, gap.toMicros(), gapJson(gap));
        return windows.offer(new Input.Other(seq, gap.toMicros(), new Job.Gap(gap, gap.toMicros(),
                seq < 0 ? Long.MAX_VALUE : seq, GAP_BYTES)));
    }

    /** A control frame worth keeping for a restart (a subscription acknowledgement): journaled only. */
    public synchronized void control(String text, long received) {
        journal.append(Journal.CONTROL, received, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A record kept aside earlier (the dead-letter area), put back on the write path; {@code false} when the journal
     * did not take it (full): it is not put back, and its dead-letter file must stay.
     */
    public synchronized boolean again(byte type, long received, byte[] payload) {
        long seq = journal.append(type, received, payload);
        if (seq < 0) {
            return false;
        }
        decode(new Journal.Entry(seq, type, received, payload)).ifPresent(windows::offer);
        return true;
    }

    /** The lowest journal position not yet stored (read under the lock, so no record is between journal and windows). */
    public synchronized long storedBelow() {
        return windows.storedBelow(journal.nextSeq());
    }

    @Override
    public long read(long fromSeq, long maxBytes, Consumer<Input> reader) {
        return journal.read(fromSeq, maxBytes, e -> decode(e).ifPresent(reader));
    }

    @Override
    public long nextSeq() {
        return journal.nextSeq();
    }

    /** A journal record as window input; empty for control records and for what cannot be read. */
    static Optional<Input> decode(Journal.Entry e) {
        return switch (e.type()) {
            case Journal.EVENT -> {
                Records.Event event = Records.event(e.payload());
                yield Channel.parseWire(event.wireChannel()).map(c -> new Input.Event(c.pair(), c.channel(),
                        new Held(e.seq(), e.receivedMicros(), event.microtimestamp(), event.frame())));
            }
            case Journal.BAD -> {
                Records.Bad bad = Records.bad(e.payload());
                yield Optional.of(badInput(e.seq(), e.receivedMicros(), bad.reason(), bad.raw()));
            }
            case Journal.GAP -> {
                try {
                    GapRecord gap = Frames.MAPPER.readValue(e.payload(), GapRecord.class);
                    yield Optional.of(new Input.Other(e.seq(), e.receivedMicros(),
                            new Job.Gap(gap, e.receivedMicros(), e.seq(), GAP_BYTES)));
                } catch (IOException unreadable) {
                    yield Optional.of(badInput(e.seq(), e.receivedMicros(), "unreadable_gap_record", e.payload()));
                }
            }
            case Journal.FRAME -> legacyFrame(e);
            default -> Optional.empty();
        };
    }

    /** A frame journaled by a version that journaled raw frames: events are taken, control frames skipped. */
    private static Optional<Input> legacyFrame(Journal.Entry e) {
        try {
            ObjectNode frame = Frames.parse(e.payload());
            String event = frame.path("event").asText("");
            if (event.startsWith("bts:")) {
                return Optional.empty();
            }
            long micros = Frames.microtimestamp(frame);
            Optional<Channel.WireChannel> channel = Channel.parseWire(frame.path("channel").asText(""));
            if (channel.isPresent() && micros > 0 && frame.path("data").isObject()) {
                return Optional.of(new Input.Event(channel.get().pair(), channel.get().channel(),
                        new Held(e.seq(), e.receivedMicros(), micros, e.payload())));
            }
        } catch (IOException | RuntimeException unreadable) {
            // kept aside below
        }
        return Optional.of(badInput(e.seq(), e.receivedMicros(), "unknown_event", e.payload()));
    }

    private static Input badInput(long seq, long received, String reason, byte[] raw) {
        return new Input.Other(seq, received,
                new Job.Bad(reason, raw, received, seq < 0 ? Long.MAX_VALUE : seq, raw.length + Held.OVERHEAD));
    }

    static byte[] gapJson(GapRecord gap) {
        try {
            return Frames.MAPPER.writeValueAsBytes(gap);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
