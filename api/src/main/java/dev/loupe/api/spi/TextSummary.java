package dev.loupe.api.spi;

import java.util.List;

/**
 * A {@link MethodResult#summary} that can describe itself to a person: a launcher prints these lines (and writes
 * the summary itself as JSON when asked for JSON), so a plugin's results read the same from any front-end.
 */
public interface TextSummary {
    /** The summary as lines of plain text, without line terminators. */
    List<String> lines();
}
