package dev.orderflow.storage;

import static dev.orderflow.storage.ChunkCodec.DICT_MAX;
import static dev.orderflow.storage.ChunkCodec.DICT_MAX_LENGTH;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One column of a chunk, the values of one JSON path. Column state shared by the encoder and decoder: both update it
 * identically, value by value.
 */
final class ChunkColumn {
    final ChunkBytes out = new ChunkBytes();
    ChunkBytesReader in;
    /** Decoding: the path, the columns of each object shape's fields and of array elements, found once. */
    String path;
    ChunkColumn[][] shapeFields;
    ChunkColumn elements;
    long lastInt;
    long lastUnscaled;
    long lastHigh;
    long lastLow;
    final List<String> dict = new ArrayList<>();
    final Map<String, Integer> dictIndex = new HashMap<>();
    /** Encoding: the columns of this object column's fields by name, and the shape of its last object. */
    Map<String, ChunkColumn> fieldColumns;
    /** Encoding: the name of the {@code <name>_str} sibling of this number column's field. */
    String stringSibling;
    List<String> lastShape;
    int lastShapeIndex;
    /** Encoding: the columns of the fields of {@link #lastShape}, each found when first needed. */
    ChunkColumn[] lastShapeColumns;

    void remember(String s) {
        if (s.length() <= DICT_MAX_LENGTH && dict.size() < DICT_MAX) {
            dictIndex.put(s, dict.size());
            dict.add(s);
        }
    }
}
