package dev.loupe.api.spi;

/**
 * How to load a model.
 *
 * @param device {@code cpu}, {@code cuda} or {@code cuda:N}; engines without the device fail clearly
 */
public record LoadOptions(String device) {
    public static final LoadOptions DEFAULT = new LoadOptions("cpu");
}
