package dev.orderflow.query.api;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.Frames;

/** Rows as JSON objects: the elements of an array (JSON) or one per line (NDJSON). */
final class JsonRows extends RowWriter {
    private final JsonGenerator json;
    private final boolean lines;

    /** Into the array {@code json} has open, or, when {@code json} is null, as root values one per line. */
    JsonRows(PageBuffer out, JsonGenerator json, boolean lines) {
        super(out);
        this.lines = lines;
        if (json != null) {
            this.json = json;
            finish(); // row boundaries are measured on the buffer: nothing may wait inside the generator
        } else {
            try {
                this.json = Frames.MAPPER.getFactory().createGenerator(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.json.setRootValueSeparator(null);
        }
    }

    @Override
    protected void beginRow() throws IOException {
        json.writeStartObject();
    }

    @Override
    protected void finishRow() throws IOException {
        json.writeEndObject();
        if (lines) {
            json.writeRaw('\n');
        }
        json.flush();
    }

    @Override
    public void string(String name, String value) {
        try {
            json.writeStringField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void number(String name, long value) {
        try {
            json.writeNumberField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void numberText(String name, String text) {
        try {
            json.writeFieldName(name);
            json.writeNumber(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void bool(String name, boolean value) {
        try {
            json.writeBooleanField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void nul(String name) {
        try {
            json.writeNullField(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void tree(String name, JsonNode value) {
        try {
            json.writeFieldName(name);
            json.writeTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void finish() {
        try {
            json.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
