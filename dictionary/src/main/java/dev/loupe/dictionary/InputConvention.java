package dev.loupe.dictionary;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;

/**
 * What a dictionary's input activation is, as harvests and dictionary files record it ({@code input_convention}):
 * the second norm's output, or a hook as cached. Files written before Loupe's {@code hook_normalized} took
 * TransformerLens's meaning are read by their legacy convention.
 */
public final class InputConvention {
    /** The MLP's input: the second LayerNorm's output, weight and bias applied. */
    public static final String NORM_OUTPUT = "ln2.hook_out: LayerNorm output with weight and bias applied "
            + "(the MLP's input)";
    /** The convention Loupe recorded before 2026-12, when its {@code hook_normalized} meant the norm's output. */
    static final String LEGACY = "ln2.hook_normalized: LayerNorm output with weight and bias applied";

    private InputConvention() {}

    /** The input convention recorded for a dictionary or harvest reading {@code hookIn}. */
    public static String of(HookPoint hookIn) {
        return hookIn.site() == HookSite.LN2_OUT ? NORM_OUTPUT
                : hookIn.name() + ": the activation as cached (TransformerLens's meaning)";
    }

    /**
     * The hook a file's input convention means: files of the legacy convention name the norm's output
     * {@code hook_normalized}, which is {@code hook_out} now; any other hook is taken as named.
     */
    public static HookPoint inputHook(HookPoint named, String convention) {
        if (!convention.startsWith(LEGACY)) {
            return named;
        }
        HookSite site = switch (named.site()) {
            case LN1_NORMALIZED -> HookSite.LN1_OUT;
            case LN2_NORMALIZED -> HookSite.LN2_OUT;
            default -> named.site();
        };
        return HookPoint.of(named.layer(), site);
    }
}
