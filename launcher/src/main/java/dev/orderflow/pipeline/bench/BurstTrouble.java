package dev.orderflow.pipeline.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.orderflow.pipeline.capture.CaptureProcess;

/**
 * What slowed a burst down, read from the capture itself: the windows it merged ({@link CaptureProcess#WINDOWS_MERGED})
 * from a burst's start to its end, and the last lines of its log that tell of a merge, a retried DynamoDB call or the
 * memory bound (the bench keeps the capture's last 40 lines of output). A burst of a single host merges nothing and
 * retries nothing on a healthy machine; the rare burst that runs several times slower than the others is then told
 * by these, instead of only by its slower figure.
 */
final class BurstTrouble {
    private static final Pattern TOLD = Pattern.compile("Merged |overlaps a part before|retrying|Memory bound");
    private static final int LINES_SHOWN = 8;

    private final CaptureProcess capture;
    private final double mergedBefore;
    /** The capture's last output line as the burst started (lines carry their time), or null. */
    private final String lastLineBefore;

    private BurstTrouble(CaptureProcess capture, double mergedBefore, String lastLineBefore) {
        this.capture = capture;
        this.mergedBefore = mergedBefore;
        this.lastLineBefore = lastLineBefore;
    }

    /** Takes note of the capture's merge count and last output line as a burst starts. */
    static BurstTrouble from(CaptureProcess capture) throws IOException, InterruptedException {
        List<String> lines = lines(capture);
        return new BurstTrouble(capture, new Prometheus(capture.metrics()).sum(CaptureProcess.WINDOWS_MERGED),
                lines.isEmpty() ? null : lines.get(lines.size() - 1));
    }

    /** Windows merged since the start. */
    double merged() throws IOException, InterruptedException {
        return new Prometheus(capture.metrics()).sum(CaptureProcess.WINDOWS_MERGED) - mergedBefore;
    }

    /**
     * The capture's log lines since the start (of its last 40) that tell of a merge, a retried call or the memory
     * bound, first ones first.
     */
    List<String> toldLines() {
        return told(lines(capture), lastLineBefore);
    }

    /** Of {@code lines}, those after the last copy of {@code lastLineBefore} (all when absent) that tell of trouble. */
    static List<String> told(List<String> lines, String lastLineBefore) {
        int from = lastLineBefore == null ? 0 : lines.lastIndexOf(lastLineBefore) + 1;
        List<String> told = new ArrayList<>();
        for (String line : lines.subList(from, lines.size())) {
            if (TOLD.matcher(line).find()) {
                told.add(line.strip());
            }
        }
        return told;
    }

    private static List<String> lines(CaptureProcess capture) {
        String tail = capture.process().tail();
        return tail.isEmpty() ? List.of() : List.of(tail.split("\\R"));
    }

    /** The first of {@code lines}, and how many more there were. */
    static List<String> shown(List<String> lines) {
        List<String> shown = new ArrayList<>(lines.subList(0, Math.min(LINES_SHOWN, lines.size())));
        if (lines.size() > LINES_SHOWN) {
            shown.add("(" + (lines.size() - LINES_SHOWN) + " more such lines)");
        }
        return shown;
    }
}
