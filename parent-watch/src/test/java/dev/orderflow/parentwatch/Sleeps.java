package dev.orderflow.parentwatch;

/** A child program for {@link ParentWatchTest} that knows nothing of its parent: says so, then waits. */
public final class Sleeps {
    private Sleeps() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("sleeping");
        Thread.sleep(120_000);
    }
}
