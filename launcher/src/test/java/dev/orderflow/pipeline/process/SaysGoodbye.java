package dev.orderflow.pipeline.process;

/** A child program for {@link ChildJvmTest}: says hello, then says goodbye when it is asked to stop. */
public final class SaysGoodbye {
    private SaysGoodbye() {
    }

    public static void main(String[] args) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("goodbye, flushed " + args[0])));
        System.out.println("hello");
        System.err.println("on stderr");
        Thread.sleep(60_000);
    }
}
