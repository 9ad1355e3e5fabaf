package dev.orderflow.archive;

/** Where archive files go: a local directory or an S3 bucket, keyed by the layout's relative paths. */
public interface ArchiveTarget {
    /** The file's bytes, or {@code null} when there is none. */
    byte[] read(String key);

    /** Writes the file whole: a reader sees the old bytes or the new ones, never a part. */
    void put(String key, byte[] bytes);

    /** Removes the file if it is there. */
    void delete(String key);

    /** Where the files go, for messages. */
    String describe();
}
