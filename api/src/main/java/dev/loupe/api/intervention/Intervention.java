package dev.loupe.api.intervention;

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
    default Optional<Tensor> parameter() {
        return Optional.empty();
    }

    /**
     * The earlier hook this intervention reads besides its own, if any: a splice's or a transcoder clamp's source
     * (the same hook, for an SAE, means its value at that point of the hook's list).
     */
    default Optional<HookPoint> readsFrom() {
        return Optional.empty();
    }

    /** This intervention at other positions (a {@link Custom} has none and comes back as it is). */
    default Intervention withPositions(Positions p) {
        return switch (this) {
            case AddVector a -> new AddVector(a.hook(), a.vector(), a.scale(), p);
            case DirectionalAblation d -> new DirectionalAblation(d.hook(), d.direction(), p);
            case Clamp c -> new Clamp(c.hook(), c.vector(), c.coefficient(), p);
            case Replace r -> new Replace(r.hook(), r.value(), p);
            case Scale s -> new Scale(s.hook(), s.factor(), p);
            case Zero z -> new Zero(z.hook(), p);
            case MeanAblate m -> new MeanAblate(m.hook(), m.mean(), p);
            case Splice s -> new Splice(s.hook(), s.source(), s.function(), p);
            case ClampFeature c -> new ClampFeature(c.hook(), c.source(), c.dictionary(), c.feature(), c.value(), p);
            case Custom c -> c;
            case Extension e -> e.withPositions(p);
        };
    }

    /** x ↦ x + scale · v. */
    record AddVector(HookPoint hook, Tensor vector, double scale, Positions positions) implements Intervention {
        public AddVector {
            present(hook, "add", "hook");
            present(vector, "add", "vector");
            present(positions, "add", "positions");
        }

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
        public DirectionalAblation {
            present(hook, "ablate_direction", "hook");
            present(direction, "ablate_direction", "direction");
            present(positions, "ablate_direction", "positions");
        }

        @Override
        public Optional<Tensor> parameter() {
            return Optional.of(direction);
        }
    }

    /** x ↦ x − (v vᵀ/‖v‖²) x + c · v: ablate the direction of v, then add c · v (the steering "clamp" form). */
    record Clamp(HookPoint hook, Tensor vector, double coefficient, Positions positions) implements Intervention {
        public Clamp {
            present(hook, "clamp", "hook");
            present(vector, "clamp", "vector");
            present(positions, "clamp", "positions");
        }

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
        public Replace {
            present(hook, "replace", "hook");
            present(value, "replace", "value");
            present(positions, "replace", "positions");
        }

        @Override
        public Optional<Tensor> parameter() {
            return Optional.of(value);
        }
    }

    /** x ↦ factor · x. */
    record Scale(HookPoint hook, double factor, Positions positions) implements Intervention {
        public Scale {
            present(hook, "scale", "hook");
            present(positions, "scale", "positions");
        }
    }

    /** x ↦ 0. */
    record Zero(HookPoint hook, Positions positions) implements Intervention {
        public Zero {
            present(hook, "zero", "hook");
            present(positions, "zero", "positions");
        }
    }

    /** x ↦ mean, a vector shaped like {@link AddVector#vector} (typically a dataset mean of the hook). */
    record MeanAblate(HookPoint hook, Tensor mean, Positions positions) implements Intervention {
        public MeanAblate {
            present(hook, "mean_ablate", "hook");
            present(mean, "mean_ablate", "mean");
            present(positions, "mean_ablate", "positions");
        }

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
        public Splice {
            present(hook, "splice", "hook");
            present(source, "splice", "source");
            present(function, "splice", "function");
            present(positions, "splice", "positions");
        }

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
            present(hook, "clamp_feature", "hook");
            present(source, "clamp_feature", "source");
            present(dictionary, "clamp_feature", "dictionary");
            present(positions, "clamp_feature", "positions");
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

    private static void present(Object value, String kind, String field) {
        if (value == null) {
            throw new dev.loupe.api.LoupeException(kind + ": field '" + field + "' is missing");
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

    /**
     * A kind of intervention a plugin defines: data like the built-in kinds (a record of hook, positions and its own
     * fields), whose meaning is its reference code {@link #apply}. Engines with
     * {@link dev.loupe.api.Capability#CUSTOM_HOOKS} run it at the positions it selects; others refuse it naming its
     * kind; gradients do not flow through it. It reads its own hook only. A file names it by {@link #kind}, which an
     * {@link dev.loupe.api.spi.InterventionKind} service registers.
     */
    non-sealed interface Extension extends Intervention {
        /** The kind's name, as a file's {@code "kind"} and error messages say it, e.g. {@code acme_negate}. */
        String kind();

        /**
         * The new activation for {@code value} [batch, pos, …] (the whole hook), the same shape; only the positions
         * this intervention selects are taken from it.
         */
        Tensor apply(Tensor value);

        /** This intervention at other positions (generation narrows positions step by step). */
        @Override
        Intervention withPositions(Positions p);
    }

    /** The code of a {@link Custom} intervention. */
    @FunctionalInterface
    interface HookFunction {
        Tensor apply(HookPoint hook, Tensor value);
    }
}
