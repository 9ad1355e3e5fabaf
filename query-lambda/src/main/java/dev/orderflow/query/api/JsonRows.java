package dev.orderflow.query.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.Frames;

/**
 * Rows as JSON objects: the elements of an array (JSON) or one per line (NDJSON). Written straight into the
 * {@link PageBuffer}, which escapes strings as Jackson does and counts the Lambda escaping cost as it writes: a page
 * of 10,000 events is a few megabytes, and a generator per field was most of the time spent on it.
 */
final class JsonRows extends RowWriter {
    private final boolean lines;
    private boolean firstRow = true;
    private boolean firstField;
    /** Field names as written: the same few names recur in every row. */
    private final Map<String, Encoded> names = new HashMap<>();

    /**
     * Into the array {@code json} has just opened (flushed here, so that the rows follow it), or, when
     * {@code json} is null, one object per line.
     */
    JsonRows(PageBuffer out, JsonGenerator json, boolean lines) {
        super(out);
        this.lines = lines;
        if (json != null) {
            try {
                json.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    protected void beginRow() {
        if (!lines && !firstRow) {
            out.plain(',');
        }
        firstRow = false;
        out.plain('{');
        firstField = true;
    }

    @Override
    protected void finishRow() {
        out.plain('}');
        if (lines) {
            out.newline();
        }
    }

    @Override
    protected void accountRow(int rowMark) {
        // counted while writing
    }

    private void name(String name) {
        if (!firstField) {
            out.plain(',');
        }
        firstField = false;
        Encoded encoded = names.get(name);
        if (encoded == null) {
            PageBuffer scratch = new PageBuffer(name.length() + 8);
            scratch.jsonString(name);
            scratch.plain(':');
            encoded = new Encoded(scratch.toByteArray(), scratch.escapedExtra());
            names.put(name, encoded);
        }
        out.again(encoded.bytes, encoded.extra);
    }

    /** A field name as written ({@code "name":}) and its cost inside the Lambda response. */
    private record Encoded(byte[] bytes, long extra) {
    }

    @Override
    public void string(String name, String value) {
        name(name);
        out.jsonString(value);
    }

    @Override
    public void number(String name, long value) {
        name(name);
        out.plain(Long.toString(value));
    }

    @Override
    public void numberText(String name, String text) {
        name(name);
        out.plain(text);
    }

    @Override
    public void bool(String name, boolean value) {
        name(name);
        out.plain(value ? "true" : "false");
    }

    @Override
    public void nul(String name) {
        name(name);
        out.plain("null");
    }

    @Override
    public void tree(String name, JsonNode value) {
        name(name);
        int from = out.size();
        try {
            out.writeBytes(Frames.MAPPER.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.account(from);
    }
}
