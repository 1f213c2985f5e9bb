package dev.loupe.api;

/**
 * A problem with the user's input (a file, a field, a hook name, a token id) described in one line that names
 * the offending thing and what was expected. The CLI prints its message without a stack trace.
 */
public class LoupeException extends IllegalArgumentException {
    public LoupeException(String message) {
        super(message);
    }

    public LoupeException(String message, Throwable cause) {
        super(message, cause);
    }
}
