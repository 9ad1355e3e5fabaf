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

    public PageBuffer ascii(String text) {
        int from = count;
        writeBytes(text.getBytes(StandardCharsets.UTF_8));
        account(from);
        return this;
    }

}
