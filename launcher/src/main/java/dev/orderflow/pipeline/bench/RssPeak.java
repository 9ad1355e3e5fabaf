package dev.orderflow.pipeline.bench;

import dev.orderflow.pipeline.process.ChildJvm;

/** The highest resident memory of a process, sampled every 250 ms until closed. */
final class RssPeak implements AutoCloseable {
    private final Thread sampler;
    private volatile double peak = -1;

    RssPeak(ChildJvm process) {
        sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted() && process.isAlive()) {
                peak = Math.max(peak, process.residentMb());
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    double peakMb() {
        return peak < 0 ? Double.NaN : peak;
    }

    @Override
    public void close() {
        sampler.interrupt();
    }
}
