package dev.orderflow.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import dev.orderflow.pipeline.process.ChildJvm;
import dev.orderflow.pipeline.process.Components;

/** Keeps a command in the foreground until Ctrl-C (the shutdown hook stops everything) or a part dies. */
final class Foreground {
    private final Components components;
    private final Map<String, BooleanSupplier> watched = new LinkedHashMap<>();

    Foreground(Components components) {
        this.components = components;
    }

    Foreground watch(String name, BooleanSupplier alive) {
        watched.put(name, alive);
        return this;
    }

    Foreground watch(List<ChildJvm> children) {
        children.forEach(child -> watch(child.name(), child::isAlive));
        return this;
    }

    /** Blocks until a watched part is no longer alive, then returns 1 (the caller's exit stops the rest). */
    int await() throws InterruptedException {
        while (true) {
            for (Map.Entry<String, BooleanSupplier> part : watched.entrySet()) {
                if (!part.getValue().getAsBoolean() && !components.stopping()) {
                    System.err.printf("%s stopped by itself; stopping everything%n", part.getKey());
                    return 1;
                }
            }
            Thread.sleep(500);
        }
    }
}
