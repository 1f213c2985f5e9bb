package dev.loupe.vectors;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;

/**
 * Where and how a steering vector enters the residual stream: at {@code blocks.{layer}.hook_resid_pre}, added
 * ({@code x + v}) or clamped (v's direction ablated, then v added), at the prompt's positions only or at a token
 * slice. Whoever made the vector (an optimiser, a mean difference, an SAE decoder row, a GGUF import), applying it
 * needs only this.
 *
 * @param layer      the block whose {@code hook_resid_pre} is steered
 * @param form       additive or clamp
 * @param promptOnly applied at prompt positions only; else at {@code positions}
 * @param positions  the token slice steered when not {@code promptOnly}
 */
public record SteeringPlacement(int layer, Form form, boolean promptOnly, Positions positions) {

    /** How the vector enters the residual stream. */
    public enum Form { ADD, CLAMP }

    public SteeringPlacement {
        if (layer < 0) {
            throw new IllegalArgumentException("steering layer must be at least 0, got " + layer);
        }
        form = form == null ? Form.ADD : form;
        positions = positions == null ? Positions.all() : positions;
    }

    /** Added at every position of {@code blocks.layer.hook_resid_pre}: llama.cpp's and repeng's application. */
    public static SteeringPlacement added(int layer) {
        return new SteeringPlacement(layer, Form.ADD, false, Positions.all());
    }

    /**
     * The layer of a {@code blocks.L.hook_resid_pre} name; {@code field} names where it was read, for the error
     * any other hook gets (Loupe steers resid_pre only).
     */
    public static int residPreLayer(String hook, String field) {
        HookPoint h;
        try {
            h = HookPoint.parse(hook);
        } catch (RuntimeException e) {
            throw new LoupeException(field + " is '" + hook + "', not a hook name (expected blocks.L.hook_resid_pre)");
        }
        if (h.site() != HookSite.RESID_PRE) {
            throw new LoupeException(field + " is '" + hook + "' (Loupe applies vectors at blocks.L.hook_resid_pre only)");
        }
        return h.layer();
    }

    /** The hook steered. */
    public HookPoint hook() {
        return HookPoint.residPre(layer);
    }

    /** The intervention applying {@code v} (or {@code −v}) here, for a prompt of {@code promptLength} tokens. */
    public Intervention intervention(Tensor v, boolean negative, int promptLength) {
        Positions at = promptOnly ? Positions.range(0, promptLength) : positions;
        double sign = negative ? -1 : 1;
        return form == Form.CLAMP ? new Intervention.Clamp(hook(), v, sign, at)
                : new Intervention.AddVector(hook(), v, sign, at);
    }
}
