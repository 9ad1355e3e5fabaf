package dev.orderflow.pipeline.bench;

/** Where a scenario of the bench reports a figure: printed as {@code name: value unit}. */
interface Figures {
    void figure(String name, double value, String unit);
}
