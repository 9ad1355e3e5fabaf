package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A write queue that keeps what it is handed, and can be told to refuse offers (a full queue). */
public class RecordingQueue implements WriteQueue {
    public final List<WindowJob> jobs = new ArrayList<>();
    public final List<Map<String, AttributeValue>> keptAside = new ArrayList<>();
    public boolean full;

    @Override
    public boolean offer(WindowJob job) {
        if (full) {
            return false;
        }
        jobs.add(job);
        return true;
    }

    @Override
    public void submit(WindowJob job) {
        jobs.add(job);
    }

    @Override
    public void keepAside(Map<String, AttributeValue> item) {
        keptAside.add(item);
    }
}
