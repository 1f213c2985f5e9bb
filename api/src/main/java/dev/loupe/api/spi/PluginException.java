package dev.loupe.api.spi;

import dev.loupe.api.LoupeException;

/** Plugins could not be assembled: a name is taken twice, or a requested plugin is absent. */
public class PluginException extends LoupeException {
    public PluginException(String message) {
        super(message);
    }
}
