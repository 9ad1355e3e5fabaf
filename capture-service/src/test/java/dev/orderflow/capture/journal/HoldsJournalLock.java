package dev.orderflow.capture.journal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A second process for {@link JournalLockTest}: locks the journal directory {@code args[0]}, says {@code locked},
 * releases it on the first line of its standard input and says {@code released}, then ends with its input.
 */
public final class HoldsJournalLock {
    private HoldsJournalLock() {
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        JournalLock lock = JournalLock.acquire(Path.of(args[0]));
        System.out.println("locked");
        in.readLine();
        lock.close();
        System.out.println("released");
        while (in.readLine() != null) {
            // until the test closes our input
        }
    }
}
