package dev.orderflow.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Every JSON object frame found in the recorded samples folder ({@code ../shared/bitstamp-samples}). */
final class SampleFrames {
    private SampleFrames() {
    }

    static Path folder() {
        String configured = System.getProperty("samples.dir");
        Path dir = configured != null ? Paths.get(configured) : Paths.get("..", "..", "shared", "bitstamp-samples");
        return dir.normalize();
    }

    static boolean available() {
        return Files.isDirectory(folder());
    }

    /** Frames per file, in file order. */
    static List<List<ObjectNode>> byFile() throws IOException {
        List<List<ObjectNode>> files = new ArrayList<>();
        try (Stream<Path> paths = Files.list(folder())) {
            for (Path file : paths.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".xz") || name.equals("PROVENANCE.json") || name.equals("README.md")) {
                    continue;
                }
                List<ObjectNode> frames = new ArrayList<>();
                for (String line : Files.readAllLines(file)) {
                    collect(line, frames);
                }
                if (frames.isEmpty()) {
                    collect(Files.readString(file), frames);
                }
                if (!frames.isEmpty()) {
                    files.add(frames);
                }
            }
        }
        return files;
    }

    private static void collect(String text, List<ObjectNode> frames) {
        int brace = text.indexOf('{');
        int bracket = text.indexOf('[');
        int start = brace < 0 ? bracket : bracket < 0 ? brace : Math.min(brace, bracket);
        if (start < 0) {
            return;
        }
        JsonNode node;
        try {
            node = Frames.MAPPER.readTree(text.substring(start));
        } catch (IOException notJson) {
            return;
        }
        walk(node, frames);
    }

    /** Objects that look like frames (have "data" or "event"), else any objects in arrays and wrappers. */
    private static void walk(JsonNode node, List<ObjectNode> frames) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            if (node.has("msg") && node.get("msg").isObject()) {
                frames.add((ObjectNode) node.get("msg"));
                return;
            }
            frames.add((ObjectNode) node);
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                walk(element, frames);
            }
        }
    }
}
