package dev.orderflow.parentwatch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A parent for {@code ChildJvmTest}: starts a {@link Listens} child from the jars in the folder {@code args[0]},
 * prints the child's log and scratch folder, one a line, and waits without ever stopping it.
 */
public final class StartsChild {
    private StartsChild() {
    }

    public static void main(String[] args) throws Exception {
        Scratch work = Scratch.create("child-jvm-test-");
        int port = ChildJvm.freePort();
        ChildJvm child = ChildJvm.startIn(work, "test server", Path.of(args[0]), List.of("-Xmx32m"),
                Listens.class.getName(), List.of(Integer.toString(port)), port, Duration.ofSeconds(60));
        System.out.println(child.log());
        System.out.println(work.path());
        Thread.sleep(Long.MAX_VALUE);
    }
}
