package dev.loupe.data;

import java.util.Iterator;

/**
 * A corpus's documents as they are read: closing releases the file being read (readers close themselves at the end
 * of each file; close it when stopping early).
 */
public interface Documents extends Iterator<String>, AutoCloseable {
    @Override
    void close();
}
