package dev.orderflow.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The archive under a local directory (as {@code ./pipeline archive} writes it): the same layout as in S3. */
public final class DirectoryTarget implements ArchiveTarget {
    private final Path root;

    public DirectoryTarget(Path root) {
        this.root = root;
    }

    @Override
    public byte[] read(String key) {
        try {
            return Files.readAllBytes(root.resolve(key));
        } catch (NoSuchFileException absent) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void put(String key, byte[] bytes) {
        Path file = root.resolve(key);
        try {
            Files.createDirectories(file.getParent());
            // written beside, then renamed: readers (DuckDB globbing *.parquet) never see half a file; a name of its
            // own, so that two archivers of one hour (./pipeline archive beside ./pipeline run) do not mix their bytes
            Path temporary = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "-"
                    + Thread.currentThread().getId() + ".writing");
            try {
                Files.write(temporary, bytes);
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(root.resolve(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
