package dev.orderflow.capture.store;

import java.util.List;
import java.util.Map;

import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Work for the writer, built from journal records: {@code minSeq} is the lowest journal position it holds
 * ({@code Long.MAX_VALUE} when none: a snapshot, or a record that could not be journaled), {@code bytes} what it
 * holds in memory until stored.
 */
public sealed interface Job {
    long minSeq();

    long bytes();

    /**
     * One closed part of a pair's and channel's window (slot), its events in arrival order; {@code fromMicros} is
     * the earliest exchange time among them;
     * {@code closedByBytes} when the part was closed at its size target, not with its window.
     */
    record Window(String pair, Channel channel, long windowStartMicros, int part, long fromMicros, List<Held> events,
            long minSeq, long bytes, boolean closedByBytes) implements Job {
    }

    /**
     * Quiet windows of one group of channels and one slot ({@link dev.orderflow.storage.QuietItems}): each a window's
     * only part, closed with its window, stored as sections of one shared item.
     */
    record Quiet(int group, long slotStartMicros, List<Window> windows) implements Job {
        @Override
        public long minSeq() {
            return windows.stream().mapToLong(Window::minSeq).min().orElse(Long.MAX_VALUE);
        }

        @Override
        public long bytes() {
            return windows.stream().mapToLong(Window::bytes).sum();
        }
    }

    /** A gap record to store. */
    record Gap(GapRecord gap, long receivedMicros, long minSeq, long bytes) implements Job {
    }

    /** A bad frame to keep aside. */
    record Bad(String reason, byte[] raw, long receivedMicros, long minSeq, long bytes) implements Job {
    }

    /** Ready-made items (an order book snapshot's parts); not journaled, so nothing waits for them. */
    record Items(String what, List<Map<String, AttributeValue>> items, long bytes) implements Job {
        @Override
        public long minSeq() {
            return Long.MAX_VALUE;
        }
    }
}
