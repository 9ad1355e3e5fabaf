package dev.orderflow.query.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The body of one answer, written row by row and built before the headers are sent (headers carry coverage and
 * the next link, which are known only once the page is chosen). Besides its size in bytes it keeps its size as the
 * body travels inside the Lambda response, where it is a JSON string: {@code "}, {@code \} and control characters
 * take more room there. It is handed over whole (as a byte array, or as a file when large): Lambda buffers the
 * whole response anyway, and a {@code StreamingOutput} larger than the output buffer stalls on Quarkus' virtual
 * Lambda connection.
 */
public final class PageBuffer extends ByteArrayOutputStream {
    private long escapedExtra;

    public PageBuffer(int initialCapacity) {
        super(initialCapacity);
    }

    /** Bytes the body takes inside the Lambda response. */
    public long escapedSize() {
        return count + escapedExtra;
    }

    public long escapedExtra() {
        return escapedExtra;
    }

    /** Counts the escaping cost of the bytes written since {@code from}. */
    public void account(int from) {
        long extra = 0;
        byte[] b = buf;
        for (int i = from, end = count; i < end; i++) {
            int c = b[i];
            if (c == '"' || c == '\\') {
                extra++;
            } else if (c >= 0 && c < 0x20) {
                extra += (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') ? 1 : 5;
            }
        }
        escapedExtra += extra;
    }

    /** Forgets everything written after {@code size} (whose escaping cost was {@code extra}). */
    public void truncate(int size, long extra) {
        count = size;
        escapedExtra = extra;
    }

    /**
     * Writes {@code s} as a JSON string, escaped as Jackson escapes it ({@code \"}, {@code \\}, short forms for
     * {@code \b \t \n \f \r}, six-character u-escapes for other control characters and for surrogates, everything
     * else as UTF-8), and counts its cost inside the Lambda response as it goes (so rows written this way need no
     * {@link #account}).
     */
    public void jsonString(String s) {
        int n = s.length();
        ensure(n + 2);
        buf[count++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                buf[count++] = (byte) c;
            } else {
                special(c);
                ensure(n - i + 1);
            }
        }
        buf[count++] = '"';
        escapedExtra += 2;
    }

    /** Writes a character that takes more than one byte. */
    private void special(char c) {
        ensure(12);
        if (c == '"' || c == '\\') {
            buf[count++] = '\\';
            buf[count++] = (byte) c;
            escapedExtra += 2;
        } else if (c < 0x20) {
            buf[count++] = '\\';
            escapedExtra++;
            switch (c) {
                case '\b' -> buf[count++] = 'b';
                case '\t' -> buf[count++] = 't';
                case '\n' -> buf[count++] = 'n';
                case '\f' -> buf[count++] = 'f';
                case '\r' -> buf[count++] = 'r';
                default -> {
                    buf[count++] = 'u';
                    buf[count++] = '0';
                    buf[count++] = '0';
                    buf[count++] = (byte) HEX[c >> 4];
                    buf[count++] = (byte) HEX[c & 0xF];
                }
            }
        } else if (c < 0x800) {
            buf[count++] = (byte) (0xC0 | (c >> 6));
            buf[count++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isSurrogate(c)) {
            // as Jackson writes them: each half of a pair (or a lone half) as its own u-escape
            buf[count++] = '\\';
            buf[count++] = 'u';
            buf[count++] = (byte) HEX[c >> 12];
            buf[count++] = (byte) HEX[(c >> 8) & 0xF];
            buf[count++] = (byte) HEX[(c >> 4) & 0xF];
            buf[count++] = (byte) HEX[c & 0xF];
            escapedExtra++;
        } else {
            buf[count++] = (byte) (0xE0 | (c >> 12));
            buf[count++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            buf[count++] = (byte) (0x80 | (c & 0x3F));
        }
    }

    /** Writes one ASCII byte that needs no escaping in the Lambda response ({@code , : { } [ ]}, digits). */
    public void plain(char c) {
        ensure(1);
        buf[count++] = (byte) c;
    }

    /** Writes ASCII text that needs no escaping in the Lambda response (numbers, {@code true}, {@code null}). */
    public void plain(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[count++] = (byte) text.charAt(i);
        }
    }

    /** Writes bytes written before by this class's methods, whose cost inside the Lambda response was {@code extra}. */
    public void again(byte[] written, long extra) {
        ensure(written.length);
        System.arraycopy(written, 0, buf, count, written.length);
        count += written.length;
        escapedExtra += extra;
    }

    /** Writes a line break (one more byte inside the Lambda response, where it is {@code \n}). */
    public void newline() {
        ensure(1);
        buf[count++] = '\n';
        escapedExtra++;
    }

    private void ensure(int more) {
        if (count + more > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    public PageBuffer ascii(String text) {
        int from = count;
        writeBytes(text.getBytes(StandardCharsets.UTF_8));
        account(from);
        return this;
    }

}
