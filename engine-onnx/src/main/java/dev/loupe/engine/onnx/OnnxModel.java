package dev.loupe.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.loupe.api.Capability;
import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.Weights;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.PaddedBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model on ONNX Runtime. Each distinct shape of request — which hooks are cached, which intervention kinds sit at
 * which hooks — gets its own graph and session, built on first use and kept (least recently used first out); the
 * data of a request (tokens, masks, vectors, transcoder weights) is fed as inputs, so repeated runs reuse sessions.
 */
final class OnnxModel implements Model {
    private static final int SESSIONS = 8;

    private final ModelSpec spec;
    private final Map<String, Tensor> weights;
    private final Weights named;
    private final Tokenizer tokenizer;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final Map<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private ExternalWeights externalWeights;

    OnnxModel(ModelSpec spec, Map<String, Tensor> weights, Tokenizer tokenizer) {
        this.spec = spec;
        this.weights = Map.copyOf(weights);
        this.named = Weights.of(this.weights);
        this.tokenizer = tokenizer == null ? Tokenizer.missing() : tokenizer;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Weights weights() {
        return named;
    }

    @Override
    public String engineName() {
        return OnnxEngine.NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.KV_CACHE);
    }

    @Override
    public dev.loupe.api.spi.DecodeSession decoder() {
        return new OnnxDecodeSession(this, env);
    }

    @Override
    public RunResult run(RunRequest request) {
        PaddedBatch batch = PaddedBatch.of(request, spec);
        request.cache().forEach(spec::requireHook);
        InterventionFeeds.requireRunnable(spec, request.interventions());
        Set<String> outputs = new LinkedHashSet<>();
        if (request.logits() != RunRequest.LogitsMode.NONE) {
            outputs.add(TransformerGraph.LOGITS);
        }
        request.cache().stream().sorted().forEach(h -> outputs.add(h.name()));
        if (outputs.isEmpty()) {
            outputs.add(HookPoint.of(HookSite.LN_FINAL_OUT).name());
        }
        OrtSession session = session(request.interventions(), request.logits(), outputs, TransformerGraph.Kv.NONE);
        try (Feeds feeds = new Feeds(env)) {
            feed(feeds, batch, request.logits());
            InterventionFeeds.add(feeds, spec, request.interventions(), batch.size(), batch.length());
            try (OrtSession.Result result = session.run(feeds.asMap(), outputs)) {
                Map<HookPoint, Tensor> cache = new HashMap<>();
                for (HookPoint h : request.cache()) {
                    cache.put(h, tensor(result, h.name()));
                }
                Tensor logits = request.logits() == RunRequest.LogitsMode.NONE ? null
                        : tensor(result, TransformerGraph.LOGITS);
                return new RunResult(logits, cache, batch.lengths());
            }
        } catch (OrtException e) {
            throw failed(e);
        }
    }

    /** Token ids, positions, the attention mask and (for LAST logits) the rows read, of a padded batch. */
    static void feed(Feeds feeds, PaddedBatch batch, RunRequest.LogitsMode logits) {
        long[] shape = {batch.size(), batch.length()};
        feeds.longs(TransformerGraph.INPUT_IDS, batch.ids(), shape);
        feeds.longs(TransformerGraph.POSITION_IDS, batch.positions(), shape);
        feeds.booleans(TransformerGraph.ALLOWED, batch.attentionAllowed(), batch.size(), 1, batch.length(),
                batch.length());
        if (logits == RunRequest.LogitsMode.LAST) {
            long[] rows = new long[batch.size()];
            for (int b = 0; b < rows.length; b++) {
                rows[b] = (long) b * batch.length() + batch.lastIndex()[b];
            }
            feeds.longs(TransformerGraph.LAST_ROWS, rows, rows.length);
        }
    }

    static LoupeException failed(OrtException e) {
        return new LoupeException("ONNX Runtime failed to run the model: " + e.getMessage().lines().findFirst()
                .orElse(""));
    }

    static Tensor tensor(OrtSession.Result result, String name) {
        OnnxValue value = result.get(name).orElseThrow(() -> new IllegalStateException("no output " + name));
        OnnxTensor t = (OnnxTensor) value;
        FloatBuffer buffer = t.getFloatBuffer();
        float[] data;
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.array().length == buffer.remaining()) {
            data = buffer.array();
        } else {
            data = new float[buffer.remaining()];
            buffer.get(data);
        }
        return Tensor.adopt(data, Arrays.stream(t.getInfo().getShape()).mapToInt(Math::toIntExact).toArray());
    }

    /** The session for this shape of request, built on first use; {@code outputs} are its graph's outputs. */
    OrtSession session(List<Intervention> interventions, RunRequest.LogitsMode logits, Set<String> outputs,
                       TransformerGraph.Kv kv) {
        String key = logits + "|" + kv + "|" + outputs + "|" + InterventionGraph.signature(interventions);
        synchronized (sessions) {
            Session session = sessions.get(key);
            if (session == null) {
                session = createSession(interventions, logits, outputs, kv);
                sessions.put(key, session);
                evictBeyond(SESSIONS);
            }
            return session.session();
        }
    }

    private Session createSession(List<Intervention> interventions, RunRequest.LogitsMode logits,
                                  Set<String> outputs, TransformerGraph.Kv kv) {
        GraphBuilder g = new GraphBuilder("loupe_" + spec.architecture());
        externalWeights().declare(g);
        TransformerGraph.write(spec, weights, g, new InterventionGraph(interventions), logits, kv);
        for (String name : outputs) {
            if (!name.equals(TransformerGraph.LOGITS) && !name.startsWith("present.")) {
                g.output(name, GraphBuilder.Elem.FLOAT, InterventionGraph.rank(HookPoint.parse(name)));
            }
        }
        int threads = OnnxThreads.count();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OnnxThreads.apply(options, threads);
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            Path file = externalWeights().place(g.model(Map.of()).toByteArray());
            try {
                return new Session(env.createSession(file.toString(), options), options);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            options.close();
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            options.close();
            throw new LoupeException("ONNX Runtime refused the graph for this request: " + e.getMessage().lines()
                    .findFirst().orElse(""));
        }
    }

    /** The weights in a file every graph of this model points to, written on first use. */
    private ExternalWeights externalWeights() {
        if (externalWeights == null) {
            externalWeights = ExternalWeights.write(weights);
        }
        return externalWeights;
    }

    /** A session and the options it was created with, which must outlive it. */
    private record Session(OrtSession session, OrtSession.SessionOptions options) {
        void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new LoupeException("ONNX Runtime could not close a session: " + e.getMessage());
            } finally {
                options.close();
            }
        }
    }

    private void evictBeyond(int limit) {
        var it = sessions.entrySet().iterator();
        while (sessions.size() > limit && it.hasNext()) {
            it.next().getValue().close();
            it.remove();
        }
    }

    @Override
    public void close() {
        synchronized (sessions) {
            evictBeyond(0);
            if (externalWeights != null) {
                externalWeights.close();
                externalWeights = null;
            }
        }
        tokenizer.close();
    }
}
