package dev.orderflow.storage;

/**
 * The usual spelling of an exchange decimal, read without {@code BigDecimal}: an optional {@code -}, at most 18
 * digits, at most one dot with digits on both sides ({@code "58356.10"}, {@code "-0.5"}, {@code "42"}). Anything else
 * ({@code "+1"}, {@code "1."}, {@code "1e3"}, 19 digits) is left to {@code BigDecimal} by the callers.
 */
public final class PlainDecimal {
    /** What {@link #unscaled} answers for another spelling (no plain spelling gives it). */
    public static final long NOT_PLAIN = Long.MIN_VALUE;

    private PlainDecimal() {
    }

    /** The digits of a plain spelling as one number ({@code "58356.10"} gives 5835610), or {@link #NOT_PLAIN}. */
    public static long unscaled(String s) {
        int n = s.length();
        int i = n > 0 && s.charAt(0) == '-' ? 1 : 0;
        if (i == n || n - i > 19) {
            return NOT_PLAIN;
        }
        long unscaled = 0;
        int digits = 0;
        boolean dot = false;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digits > 18) {
                    return NOT_PLAIN;
                }
                unscaled = unscaled * 10 + (c - '0');
            } else if (c == '.' && !dot && digits > 0 && i + 1 < n) {
                dot = true;
            } else {
                return NOT_PLAIN;
            }
        }
        return s.charAt(0) == '-' ? -unscaled : unscaled;
    }

    /** 10^0 to 10^18, every power of ten a {@code long} holds. */
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    /** 10^{@code n}, for {@code n} from 0 to 18. */
    public static long tenTo(int n) {
        return POWERS_OF_TEN[n];
    }

    /** The number of digits after the dot of a plain spelling (0 without a dot). */
    public static int scale(String s) {
        int dot = s.indexOf('.');
        return dot < 0 ? 0 : s.length() - dot - 1;
    }
}
