package dev.orderflow.query.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.Frames;

/**
 * Rows as RFC 4180 CSV with a header row and fixed columns; fields outside the columns go, as one JSON object,
 * into the extra column. A value is quoted when it holds a comma, quote, line break or edge space.
 */
final class CsvRows extends RowWriter {
    private final Map<String, Integer> index = new HashMap<>();
    private final String[] cells;
    private final String extraColumn;
    private StringWriter extraText;
    private JsonGenerator extra;

    CsvRows(PageBuffer out, List<String> columns, String extraColumn) {
        super(out);
        this.extraColumn = extraColumn;
        for (int i = 0; i < columns.size(); i++) {
            index.put(columns.get(i), i);
        }
        cells = new String[columns.size() + (extraColumn == null ? 0 : 1)];
        StringBuilder header = new StringBuilder();
        for (String column : columns) {
            header.append(header.isEmpty() ? "" : ",").append(column);
        }
        if (extraColumn != null) {
            header.append(',').append(extraColumn);
        }
        out.ascii(header.append("\r\n").toString());
    }

    @Override
    protected void beginRow() {
        Arrays.fill(cells, null);
        extra = null;
    }

    @Override
    protected void finishRow() throws IOException {
        if (extra != null) {
            extra.writeEndObject();
            extra.close();
            cells[cells.length - 1] = extraText.toString();
        }
        StringBuilder line = new StringBuilder(512);
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            String cell = cells[i];
            if (cell != null) {
                appendCell(line, cell);
            }
        }
        line.append("\r\n");
        out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void appendCell(StringBuilder line, String cell) {
        boolean quote = !cell.isEmpty() && (cell.charAt(0) == ' ' || cell.charAt(cell.length() - 1) == ' ');
        for (int i = 0; i < cell.length() && !quote; i++) {
            char c = cell.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        if (!quote) {
            line.append(cell);
            return;
        }
        line.append('"');
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            if (c == '"') {
                line.append('"');
            }
            line.append(c);
        }
        line.append('"');
    }

    /** The column slot for {@code name}, or -1 when the field goes into the extra object. */
    private int slot(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    private JsonGenerator extra() throws IOException {
        if (extra == null) {
            extraText = new StringWriter();
            extra = Frames.MAPPER.getFactory().createGenerator(extraText);
            extra.writeStartObject();
        }
        return extra;
    }

    private void put(String name, String text, ExtraWrite write) {
        int slot = slot(name);
        if (slot >= 0) {
            cells[slot] = text;
        } else if (extraColumn != null) {
            try {
                write.to(extra());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @FunctionalInterface
    private interface ExtraWrite {
        void to(JsonGenerator json) throws IOException;
    }

    @Override
    public void string(String name, String value) {
        put(name, value, json -> json.writeStringField(name, value));
    }

    @Override
    public void number(String name, long value) {
        put(name, Long.toString(value), json -> json.writeNumberField(name, value));
    }

    @Override
    public void numberText(String name, String text) {
        put(name, text, json -> {
            json.writeFieldName(name);
            json.writeNumber(text);
        });
    }

    @Override
    public void bool(String name, boolean value) {
        put(name, Boolean.toString(value), json -> json.writeBooleanField(name, value));
    }

    @Override
    public void nul(String name) {
        put(name, null, json -> json.writeNullField(name));
    }

    @Override
    public void tree(String name, JsonNode value) {
        put(name, value.isTextual() ? value.textValue() : Frames.toJson(value), json -> {
            json.writeFieldName(name);
            json.writeTree(value);
        });
    }
}
