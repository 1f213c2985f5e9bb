package dev.loupe.engine.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.loupe.api.Capability;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.hf.DjlOffline;
import dev.loupe.hf.HfCheckpoint;
import dev.loupe.hf.WeightMapping.TensorReader;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The reference engine: a transformer written in DJL NDArray ops on PyTorch (CPU, or CUDA when present), with every
 * hook point, data and custom interventions, and gradients through DJL's GradientCollector. Runs offline.
 */
public final class DjlEngine implements dev.loupe.api.spi.Engine {
    public static final String NAME = "djl";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return 10;
    }

    private volatile Set<Capability> capabilities;

    @Override
    public Set<Capability> capabilities() {
        if (capabilities == null) {
            DjlOffline.ensure();
            Set<Capability> caps = EnumSet.of(Capability.GRADIENTS, Capability.CUSTOM_HOOKS, Capability.TRAINING,
                    Capability.KV_CACHE);
            if (Engine.getEngine("PyTorch").getGpuCount() > 0) {
                caps.add(Capability.CUDA);
            }
            capabilities = Set.copyOf(caps);
        }
        return capabilities;
    }

    @Override
    public Model load(ModelSource source, LoadOptions options) {
        DjlOffline.ensure();
        Device device = device(options.device());
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            return switch (source) {
                case ModelSource.Directory d -> {
                    try (HfCheckpoint ckpt = HfCheckpoint.open(d.path())) {
                        TransformerWeights w = TransformerWeights.load(manager, ckpt.spec(), ckpt.weights(),
                                d.path().toString(), options.processing());
                        yield new DjlModel(ckpt.spec(), manager, w, ckpt.loadTokenizer(), capabilities());
                    }
                }
                case ModelSource.InMemory mem -> {
                    Map<String, TensorReader> readers = new LinkedHashMap<>();
                    for (Map.Entry<String, Tensor> e : mem.weights().entrySet()) {
                        readers.put(e.getKey(), e::getValue);
                    }
                    TransformerWeights w = TransformerWeights.load(manager, mem.spec(), readers, "in-memory weights",
                            options.processing());
                    yield new DjlModel(mem.spec(), manager, w, mem.tokenizer(), capabilities());
                }
            };
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Device device(String name) {
        String n = name == null ? "cpu" : name.toLowerCase();
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.startsWith("cuda") || n.startsWith("gpu")) {
            int gpus = Engine.getEngine("PyTorch").getGpuCount();
            int index = n.contains(":") ? Integer.parseInt(n.substring(n.indexOf(':') + 1)) : 0;
            if (index >= gpus) {
                throw new LoupeException("device '" + name + "' requested but PyTorch sees " + gpus + " GPU(s)");
            }
            return Device.gpu(index);
        }
        throw new LoupeException("device '" + name + "' is not known (expected cpu, cuda or cuda:N)");
    }
}
