package dev.orderflow.parentwatch;

/** A child program for {@link ParentWatchTest}: follows its parent, then waits; says so when it stops. */
public final class WatchedMain {
    private WatchedMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
        ParentWatch.watchFromProperty().orElseThrow();
        System.out.println("watching");
        Thread.sleep(120_000);
    }
}
