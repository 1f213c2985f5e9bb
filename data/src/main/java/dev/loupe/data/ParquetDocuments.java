package dev.loupe.data;

import dev.hardwood.InputFile;
import dev.hardwood.metadata.LogicalType;
import dev.hardwood.metadata.PhysicalType;
import dev.hardwood.reader.ParquetFileReader;
import dev.hardwood.reader.RowReader;
import dev.hardwood.schema.ColumnProjection;
import dev.hardwood.schema.ColumnSchema;
import dev.hardwood.schema.FileSchema;
import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The documents of a Parquet file (the format HF datasets are stored in): one string column, row by row, read with
 * Hardwood (Snappy, ZSTD, gzip and uncompressed pages). The column must be a top-level UTF-8 string; a missing
 * column (the error lists those there are), another type, or a null value is a one-line error naming file, column
 * and row. The reader is closed when the last row has been read.
 */
final class ParquetDocuments implements Documents {
    private final Path file;
    private final String column;
    private final ParquetFileReader reader;
    private final RowReader rows;
    private long row;
    private boolean closed;

    private ParquetDocuments(Path file, String column, ParquetFileReader reader, RowReader rows) {
        this.file = file;
        this.column = column;
        this.reader = reader;
        this.rows = rows;
    }

    static Documents open(Path file, String column) {
        ParquetFileReader reader;
        try {
            reader = ParquetFileReader.open(InputFile.of(file));
        } catch (IOException | RuntimeException e) {
            throw new LoupeException(file + ": not a readable Parquet file (" + firstLine(e) + ")");
        }
        try {
            requireStringColumn(file, reader.getFileSchema(), column);
            return new ParquetDocuments(file, column, reader,
                    reader.buildRowReader().projection(ColumnProjection.columns(column)).build());
        } catch (RuntimeException e) {
            closeQuietly(reader);
            throw e instanceof LoupeException l ? l
                    : new LoupeException(file + ": cannot read column '" + column + "' (" + firstLine(e) + ")");
        }
    }

    private static void requireStringColumn(Path file, FileSchema schema, String column) {
        ColumnSchema c = schema.getColumns().stream().filter(s -> s.fieldPath().toString().equals(column)
                || s.name().equals(column) && s.maxRepetitionLevel() == 0).findFirst().orElse(null);
        if (c == null) {
            throw new LoupeException(file + ": no column '" + column + "' (columns: " + String.join(", ",
                    schema.getColumns().stream().map(ColumnSchema::name).toList()) + "; --field names the text)");
        }
        if (c.maxRepetitionLevel() > 0 || c.type() != PhysicalType.BYTE_ARRAY
                || !(c.logicalType() instanceof LogicalType.StringType)) {
            throw new LoupeException(file + ": column '" + column + "' is " + c.type()
                    + (c.logicalType() == null ? "" : " " + c.logicalType()) + (c.maxRepetitionLevel() > 0
                    ? " (repeated)" : "") + ", not a string (expected the documents' text)");
        }
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        boolean more;
        try {
            more = rows.hasNext();
        } catch (RuntimeException e) {
            close();
            throw new LoupeException(file + ": cannot read row " + row + " (" + firstLine(e) + ")");
        }
        if (!more) {
            close();
        }
        return more;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        try {
            rows.next();
            row++;
            if (rows.isNull(0)) {
                close();
                throw new LoupeException(file + ": row " + row + ": column '" + column + "' is null (expected the "
                        + "document's text)");
            }
            return rows.getString(0);
        } catch (LoupeException e) {
            throw e;
        } catch (RuntimeException e) {
            close();
            throw new LoupeException(file + ": cannot read row " + row + " (" + firstLine(e) + ")");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            rows.close();
            closeQuietly(reader);
        }
    }

    private static void closeQuietly(ParquetFileReader reader) {
        try {
            reader.close();
        } catch (IOException ignored) {
            // nothing was written; the file stays as it was
        }
    }

    private static String firstLine(Throwable e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
    }
}
