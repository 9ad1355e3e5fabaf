package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.orderflow.storage.QuietItems;
import dev.orderflow.storage.TableLayout;

/**
 * Quiet windows closed by the window step ({@link QuietItems#quiet}), held by slot and group until their slot is
 * done, then handed on as one job per group: the slot's shared item is written once, not once per window.
 * Not thread-safe: the window step's lock guards it.
 */
final class QuietSlots {
    private final TreeMap<Long, Map<Integer, List<Job.Window>>> slots = new TreeMap<>();

    void add(Job.Window window) {
        slots.computeIfAbsent(window.windowStartMicros(), s -> new TreeMap<>())
                .computeIfAbsent(QuietItems.group(window.pair(), window.channel()), g -> new ArrayList<>()).add(window);
    }

    /**
     * The jobs of every slot before {@code openFrom} (the earliest slot a stream still holds open), and of every slot
     * that ended before {@code lateBefore} whatever is open (a stream far behind joins its shared item later, by a
     * merge); all of them when {@code openFrom} is {@link Long#MAX_VALUE}.
     */
    List<Job.Quiet> due(long openFrom, long lateBefore) {
        List<Job.Quiet> due = new ArrayList<>();
        Iterator<Map.Entry<Long, Map<Integer, List<Job.Window>>>> it = slots.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Map<Integer, List<Job.Window>>> slot = it.next();
            boolean ended = slot.getKey() + TableLayout.SLOT_MICROS < lateBefore;
            if (slot.getKey() >= openFrom && !ended) {
                break;
            }
            slot.getValue().forEach((group, windows) -> due.add(new Job.Quiet(group, slot.getKey(), windows)));
            it.remove();
        }
        return due;
    }
}
