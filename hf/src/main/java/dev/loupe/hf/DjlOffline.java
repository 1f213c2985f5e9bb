package dev.loupe.hf;

/**
 * Keeps DJL from reaching the network: sets {@code ai.djl.offline} and {@code OPT_OUT_TRACKING} (DJL reads both
 * as system properties as well as environment variables) unless the user set them. Call before any DJL class
 * that could start an engine or a tokenizer.
 */
public final class DjlOffline {
    private DjlOffline() {}

    public static void ensure() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }
}
