package dev.orderflow.simulator.world;

import java.math.BigDecimal;
import java.math.RoundingMode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;

/**
 * The exchange's two spellings of a number, made from whole units (never from {@code double}): the padded string
 * ({@code "58356.10"}) and the JSON number ({@code 58356.1}).
 */
public final class Decimals {
    private Decimals() {
    }

    /** {@code units}·10^-scale with exactly {@code scale} decimals: {@code "0.00171371"}, {@code "58356.10"}. */
    public static String padded(long units, int scale) {
        return BigDecimal.valueOf(units, scale).toPlainString();
    }

    /** Like {@link #padded} but zero is {@code "0"}, as in {@code "amount_traded":"0"}. */
    public static String paddedOrZero(long units, int scale) {
        return units == 0 ? "0" : padded(units, scale);
    }

    /** The JSON number the exchange sends beside a string: no trailing zeros, plain notation. */
    public static JsonNode number(long units, int scale) {
        return number(BigDecimal.valueOf(units, scale));
    }

    /** The JSON number for a decimal: no trailing zeros, plain notation ({@code 58356.1}, {@code 71009}). */
    public static JsonNode number(BigDecimal value) {
        BigDecimal stripped = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        return DecimalNode.valueOf(stripped.scale() < 0 ? stripped.setScale(0) : stripped);
    }

    /** A decimal rounded half-even to {@code scale} places, padded: {@code 1.7885566900000001 -> "1.78855669"}. */
    public static String padded(BigDecimal value, int scale) {
        return value.setScale(scale, RoundingMode.HALF_EVEN).toPlainString();
    }
}
