package dev.loupe.json;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.loupe.api.HookPoint;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.objective.Objective;
import java.util.Optional;

/**
 * Jackson mix-ins carrying the api's JSON names: the {@code kind} of each sealed family of values, and a hook
 * point as its TransformerLens name. The api's types stay free of Jackson; {@link ApiJsonModule} attaches these.
 */
final class ApiMixins {
    private ApiMixins() {}

    /** A hook point is its TransformerLens name, e.g. {@code "blocks.1.hook_resid_pre"}. */
    abstract static class HookPointMixin {
        @JsonCreator
        static HookPoint parse(String name) {
            throw new AssertionError("a mix-in is never called");
        }

        @JsonValue
        abstract String name();
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Positions.All.class, name = "all"),
        @JsonSubTypes.Type(value = Positions.Indices.class, name = "indices"),
        @JsonSubTypes.Type(value = Positions.Range.class, name = "range"),
        @JsonSubTypes.Type(value = Positions.Prompt.class, name = "prompt"),
        @JsonSubTypes.Type(value = Positions.Generated.class, name = "generated")
    })
    interface PositionsMixin {}

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
    interface InterventionMixin {
        @JsonIgnore
        Optional<Tensor> parameter();

        @JsonIgnore
        Optional<HookPoint> readsFrom();
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = SparseActivation.Relu.class, name = "relu"),
        @JsonSubTypes.Type(value = SparseActivation.JumpRelu.class, name = "jumprelu"),
        @JsonSubTypes.Type(value = SparseActivation.TopK.class, name = "topk"),
        @JsonSubTypes.Type(value = SparseActivation.Gated.class, name = "gated")
    })
    interface SparseActivationMixin {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = SpliceFunction.SparseMlp.class, name = "sparse_mlp"),
        @JsonSubTypes.Type(value = SpliceFunction.Affine.class, name = "affine")
    })
    interface SpliceFunctionMixin {}

    /** A derived flag, not a property. */
    interface SparseMlpMixin {
        @JsonIgnore
        boolean isPlainRelu();
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Objective.TokenLogProb.class, name = "log_prob"),
        @JsonSubTypes.Type(value = Objective.TokenLogOneMinusProb.class, name = "log_one_minus_prob"),
        @JsonSubTypes.Type(value = Objective.LogitDifference.class, name = "logit_difference"),
        @JsonSubTypes.Type(value = Objective.HookDot.class, name = "hook_dot"),
        @JsonSubTypes.Type(value = Objective.WeightedSum.class, name = "weighted_sum")
    })
    interface ObjectiveMixin {}
}
