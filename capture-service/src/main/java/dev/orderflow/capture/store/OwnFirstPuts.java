package dev.orderflow.capture.store;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Per channel, the parts of its latest windows that this process first put, with no merge of its own since: a part's
 * check of the ones before it ({@link StoredParts#overlapsEarlier}) can skip reading them whole while their write
 * version is still 1. Writer threads finish parts in any order, and in a backlog the next window's parts are put while
 * the last of one are still on their way, so several windows are kept.
 */
final class OwnFirstPuts {
    /** Windows per channel whose first puts are kept. */
    private static final int WINDOWS = 4;

    private final Map<Windows.Stream, NavigableMap<Long, Set<Integer>>> byStream = new ConcurrentHashMap<>();

    /** This process first put {@code w}'s part. */
    void put(Job.Window w) {
        NavigableMap<Long, Set<Integer>> windows = byStream.computeIfAbsent(Windows.Stream.of(w),
                s -> new ConcurrentSkipListMap<>());
        windows.computeIfAbsent(w.windowStartMicros(), start -> ConcurrentHashMap.newKeySet()).add(w.part());
        while (windows.size() > WINDOWS) {
            windows.pollFirstEntry();
        }
    }

    /** Whether this process first put part {@code part} of {@code w}'s window, with no merge of its own since. */
    boolean has(Job.Window w, int part) {
        NavigableMap<Long, Set<Integer>> windows = byStream.get(Windows.Stream.of(w));
        Set<Integer> own = windows == null ? null : windows.get(w.windowStartMicros());
        return own != null && own.contains(part);
    }

    /** This process merges {@code w}'s window: none of its parts counts as its own first put any more. */
    void forget(Job.Window w) {
        NavigableMap<Long, Set<Integer>> windows = byStream.get(Windows.Stream.of(w));
        if (windows != null) {
            windows.remove(w.windowStartMicros());
        }
    }
}
