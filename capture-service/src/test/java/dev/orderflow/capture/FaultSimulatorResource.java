package dev.orderflow.capture;

/** A simulator of its own for the fault tests (their losses must not meet the exact-equality end-to-end test). */
public class FaultSimulatorResource extends SimulatorResource {
}
