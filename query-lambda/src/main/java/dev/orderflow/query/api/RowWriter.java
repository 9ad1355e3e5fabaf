package dev.orderflow.query.api;

import java.io.IOException;
import java.io.UncheckedIOException;

import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Writes rows of named fields into a {@link PageBuffer} in one of the {@link Format}s. Rows are streamed straight
 * into the buffer; the last row can be taken back when it made the page too large.
 */
public abstract class RowWriter {
    protected final PageBuffer out;
    private int rowMark;
    private long extraMark;

    protected RowWriter(PageBuffer out) {
        this.out = out;
    }

    /** Rows as the elements of the JSON array that {@code json} (writing to {@code out}) has just opened. */
    public static RowWriter jsonArray(JsonGenerator json, PageBuffer out) {
        return new JsonRows(out, json, false);
    }

    /** Rows as NDJSON lines. */
    public static RowWriter ndjson(PageBuffer out) {
        return new JsonRows(out, null, true);
    }

    /**
     * Rows as CSV with a header row. {@code columns} are the columns in order; when {@code extraColumn} is not
     * {@code null}, fields outside them go into that last column as one JSON object, else they are left out.
     */
    public static RowWriter csv(PageBuffer out, List<String> columns, String extraColumn) {
        return new CsvRows(out, columns, extraColumn);
    }

    public final void startRow() {
        rowMark = out.size();
        extraMark = out.escapedExtra();
        try {
            beginRow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public final void endRow() {
        try {
            finishRow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        accountRow(rowMark);
    }

    /** Counts the Lambda escaping cost of the row that starts at {@code rowMark}. */
    protected void accountRow(int rowMark) {
        out.account(rowMark);
    }

    /** Takes back the row just ended. */
    public final void dropRow() {
        out.truncate(rowMark, extraMark);
    }

    /** Ends the rows (flushes what the writer still holds). */
    public void finish() {
    }

    protected abstract void beginRow() throws IOException;

    protected abstract void finishRow() throws IOException;

    public abstract void string(String name, String value);

    public abstract void number(String name, long value);

    /** A number given by its exact decimal text (e.g. a {@link java.math.BigInteger}). */
    public abstract void numberText(String name, String text);

    public abstract void bool(String name, boolean value);

    public abstract void nul(String name);

    /** Any JSON value as it is (objects and arrays the exchange sent that we do not interpret). */
    public abstract void tree(String name, JsonNode value);
}
