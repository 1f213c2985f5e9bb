package dev.loupe.api.intervention;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.loupe.api.HookPoint;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import java.util.Optional;

/**
 * A change to one hook's activation during a forward pass. Interventions are data (Jackson-serialisable
 * records), so the same intervention runs on every engine; only {@link Custom} carries code.
 *
 * <p>Vectors broadcast over batch and positions: their shape is the activation's shape after the position
 * axis (e.g. [d_model] at a residual hook, [n_heads, d_head] at {@code attn.hook_z}). Interventions at one hook
 * apply in the order they are listed; a cache records the value after them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Intervention.AddVector.class, name = "add"),
    @JsonSubTypes.Type(value = Intervention.DirectionalAblation.class, name = "ablate_direction"),
    @JsonSubTypes.Type(value = Intervention.Clamp.class, name = "clamp"),
    @JsonSubTypes.Type(value = Intervention.Replace.class, name = "replace"),
    @JsonSubTypes.Type(value = Intervention.Scale.class, name = "scale"),
    @JsonSubTypes.Type(value = Intervention.Zero.class, name = "zero"),
    @JsonSubTypes.Type(value = Intervention.MeanAblate.class, name = "mean_ablate"),
    @JsonSubTypes.Type(value = Intervention.Splice.class, name = "splice"),
    @JsonSubTypes.Type(value = Intervention.ClampFeature.class, name = "clamp_feature")
})
public sealed interface Intervention {
    HookPoint hook();

    Positions positions();

    /**
     * Which positions of a sequence axis of {@code length} this intervention touches; positions out of range are a
     * one-line error naming the hook.
     */
    default boolean[] positionMask(int length) {
        boolean[] selected = new boolean[length];
        try {
            for (int p : positions().resolve(length)) {
                selected[p] = true;
            }
        } catch (IllegalArgumentException e) {
            throw new dev.loupe.api.LoupeException("intervention at '" + hook() + "': " + e.getMessage());
        }
        return selected;
    }

    /** The tensor that a gradient request may train, if this kind has one. */
    @JsonIgnore
    default Optional<Tensor> parameter() {
        return Optional.empty();
    }

    /**
     * The earlier hook this intervention reads besides its own, if any: a splice's or a transcoder clamp's source
     * (the same hook, for an SAE, means its value at that point of the hook's list).
     */
    @JsonIgnore
    default Optional<HookPoint> readsFrom() {
        return Optional.empty();
    }

    /** x ↦ x + scale · v. */
    record AddVector(HookPoint hook, Tensor vector, double scale, Positions positions) implements Intervention {
        public AddVector(HookPoint hook, Tensor vector) {
            this(hook, vector, 1.0, Positions.all());
        }

        @Override
        public Optional<Tensor> parameter() {
            return Optional.of(vector);
        }
    }

    /** x ↦ x − (x·d̂) d̂ with d̂ = d/‖d‖: removes the component along {@code direction}. */
    record DirectionalAblation(HookPoint hook, Tensor direction, Positions positions) implements Intervention {
        @Override
        public Optional<Tensor> parameter() {
            return Optional.of(direction);
        }
    }

    /** x ↦ x − (v vᵀ/‖v‖²) x + c · v: ablate the direction of v, then add c · v (the steering "clamp" form). */
    record Clamp(HookPoint hook, Tensor vector, double coefficient, Positions positions) implements Intervention {
        @Override
        public Optional<Tensor> parameter() {
            return Optional.of(vector);
        }
    }

    /**
     * x ↦ value at the selected positions (activation patching). {@code value} has the hook's full shape, with
     * or without the batch axis (then it is used for every sequence of the batch).
     */
    record Replace(HookPoint hook, Tensor value, Positions positions) implements Intervention {
        @Override
        public Optional<Tensor> parameter() {
            return Optional.of(value);
        }
    }

    /** x ↦ factor · x. */
    record Scale(HookPoint hook, double factor, Positions positions) implements Intervention {}

    /** x ↦ 0. */
    record Zero(HookPoint hook, Positions positions) implements Intervention {}

    /** x ↦ mean, a vector shaped like {@link AddVector#vector} (typically a dataset mean of the hook). */
    record MeanAblate(HookPoint hook, Tensor mean, Positions positions) implements Intervention {
        @Override
        public Optional<Tensor> parameter() {
            return Optional.of(mean);
        }
    }

    /**
     * x ↦ f(value at {@code source}): replaces {@code hook} by a function of an earlier hook, e.g. an MLP's output
     * by a transcoder applied to the MLP's input.
     */
    record Splice(HookPoint hook, HookPoint source, SpliceFunction function, Positions positions)
            implements Intervention {
        @Override
        public Optional<HookPoint> readsFrom() {
            return Optional.of(source);
        }
    }

    /**
     * Sets one feature of a dictionary to {@code value} and keeps everything else the hook carries, reconstruction
     * error included: x ↦ x + (value − z_i(s)) · W_dec[i] (times the dictionary's output scale when it normalises
     * its input), where z(s) is the dictionary's encoding of {@code source}'s activation s. For an SAE
     * {@code source} is {@code hook} itself; for a transcoder it is the hook it reads (e.g. {@code
     * blocks.L.ln2.hook_normalized} for {@code blocks.L.hook_mlp_out}). Value 0 ablates the feature; a large value
     * is Anthropic's "clamping" steering.
     */
    record ClampFeature(HookPoint hook, HookPoint source, SpliceFunction.SparseMlp dictionary, int feature,
                        double value, Positions positions) implements Intervention {
        public ClampFeature {
            if (feature < 0 || feature >= dictionary.dFeatures()) {
                throw new dev.loupe.api.LoupeException("clamp_feature at '" + hook + "': feature " + feature
                        + " is outside the dictionary's " + dictionary.dFeatures() + " features");
            }
            if (!Double.isFinite(value)) {
                throw new dev.loupe.api.LoupeException("clamp_feature at '" + hook + "': value " + value
                        + " is not a finite number");
            }
        }

        /** An SAE's feature clamp: the dictionary reads and writes {@code hook}. */
        public ClampFeature(HookPoint hook, SpliceFunction.SparseMlp dictionary, int feature, double value,
                            Positions positions) {
            this(hook, hook, dictionary, feature, value, positions);
        }

        @Override
        public Optional<HookPoint> readsFrom() {
            return Optional.of(source);
        }
    }

    /**
     * Arbitrary Java code on the whole activation [batch, …]. Only engines with
     * {@link dev.loupe.api.Capability#CUSTOM_HOOKS} run it; it is not serialisable and blocks gradients.
     */
    record Custom(HookPoint hook, HookFunction function) implements Intervention {
        @Override
        public Positions positions() {
            return Positions.all();
        }
    }

    /** The code of a {@link Custom} intervention. */
    @FunctionalInterface
    interface HookFunction {
        Tensor apply(HookPoint hook, Tensor value);
    }
}
