package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one forward pass does at hook points: interventions in request order, then (for gradient requests) a
 * zero tensor whose gradient is the activation's, then caching. Hooks with nothing to do cost one map look-up.
 */
final class RunHooks {
    private final NDManager manager;
    private final Map<HookPoint, List<Integer>> byHook = new HashMap<>();
    private final List<Intervention> interventions;
    private final Map<Integer, NDArray> parameters = new HashMap<>();
    private final Set<HookPoint> cache;
    private final Set<HookPoint> keep = new HashSet<>();
    private final Set<HookPoint> gradientHooks;
    private final Map<HookPoint, NDArray> saved = new LinkedHashMap<>();
    private final Map<HookPoint, NDArray> probes = new HashMap<>();
    private final Set<HookPoint> active = new HashSet<>();

    RunHooks(ModelSpec spec, NDManager manager, List<Intervention> interventions, Set<HookPoint> cache,
             Set<Integer> trainable, Set<HookPoint> gradientHooks, Set<HookPoint> alsoKeep) {
        this.manager = manager;
        this.interventions = interventions;
        this.cache = cache;
        this.gradientHooks = gradientHooks;
        for (int i = 0; i < interventions.size(); i++) {
            Intervention iv = interventions.get(i);
            spec.requireHook(iv.hook());
            byHook.computeIfAbsent(iv.hook(), h -> new ArrayList<>()).add(i);
            HookPoint source = InterventionOps.sourceOf(iv);
            if (source != null) {
                spec.requireHook(source);
                if (source.compareTo(iv.hook()) > 0) {
                    throw new LoupeException((iv instanceof Intervention.Splice ? "splice" : "clamp_feature") + " into '" + iv.hook() + "': source '" + source
                            + "' must fire earlier in the forward pass (or be the same hook, as an SAE's)");
                }
                keep.add(source);
            }
            Tensor p = iv.parameter().orElse(null);
            if (p != null) {
                NDArray a = Arrays2.toNd(manager, p);
                if (trainable.contains(i)) {
                    a.setRequiresGradient(true);
                }
                parameters.put(i, a);
            }
        }
        cache.forEach(spec::requireHook);
        gradientHooks.forEach(spec::requireHook);
        alsoKeep.forEach(spec::requireHook);
        keep.addAll(cache);
        keep.addAll(alsoKeep);
        active.addAll(byHook.keySet());
        active.addAll(keep);
        active.addAll(gradientHooks);
    }

    /** Whether this run intervenes on, caches, keeps or differentiates at {@code hook} (else it may be fused away). */
    boolean touches(HookPoint hook) {
        return active.contains(hook);
    }

    /** The activation after everything this run does at {@code hook}. */
    NDArray at(HookPoint hook, NDArray value) {
        if (!active.contains(hook)) {
            return value;
        }
        NDArray x = value;
        for (int i : byHook.getOrDefault(hook, List.of())) {
            Intervention iv = interventions.get(i);
            HookPoint source = InterventionOps.sourceOf(iv);
            NDArray from = source == null ? null : source.equals(hook) ? x : saved.get(source);
            x = InterventionOps.apply(manager, iv, x, parameters.get(i), from);
        }
        if (gradientHooks.contains(hook)) {
            NDArray probe = manager.zeros(x.getShape());
            probe.setRequiresGradient(true);
            probes.put(hook, probe);
            x = x.add(probe);
        }
        if (keep.contains(hook)) {
            saved.put(hook, x);
        }
        return x;
    }

    NDArray saved(HookPoint hook) {
        return saved.get(hook);
    }

    NDArray parameter(int intervention) {
        return parameters.get(intervention);
    }

    NDArray probe(HookPoint hook) {
        return probes.get(hook);
    }

    /** The requested cache as api tensors. */
    Map<HookPoint, Tensor> cacheTensors() {
        Map<HookPoint, Tensor> out = new HashMap<>();
        for (HookPoint h : cache) {
            out.put(h, Arrays2.toTensor(saved.get(h)));
        }
        return out;
    }
}
