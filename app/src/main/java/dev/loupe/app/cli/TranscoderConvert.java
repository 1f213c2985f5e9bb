package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.dictionary.CircuitTracerTranscoders;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loupe transcoder convert}: any dictionary Loupe reads (SAELens folder of any architecture, Gemma Scope
 * params.npz, circuit-tracer config) written as SAELens 6 lays it out, or as a circuit-tracer set.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Rewrites an SAE or transcoder (SAELens folder, Gemma Scope params.npz, circuit-tracer "
                + "config.yaml) in SAELens 6's layout or as a circuit-tracer set.",
        footer = {"", "Example: loupe transcoder convert --in gemma-scope-2b-pt-res/layer_12/width_16k/average_l0_82/"
                + "params.npz --out sae12"})
public final class TranscoderConvert implements Runnable {
    /** The layouts {@code --to} names. */
    enum Layout { saelens, circuit_tracer }

    @Option(names = "--in", required = true, paramLabel = "PATH",
            description = "SAELens folder, Gemma Scope params.npz, or circuit-tracer config.yaml.") Path in;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write (for several "
            + "layers in SAELens layout: one layer_L folder each inside it).") Path out;
    @Option(names = "--to", defaultValue = "saelens", description = "saelens or circuit_tracer (default: "
            + "${DEFAULT-VALUE}).") Layout to;
    @Option(names = "--model-name", defaultValue = "unknown", description = "model_name for a circuit-tracer "
            + "config (default: ${DEFAULT-VALUE}).") String modelName;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        List<Transcoder> all = TranscoderFile.readAll(in);
        Map<Integer, Transcoder> byLayer = new TreeMap<>();
        for (Transcoder t : all) {
            if (byLayer.put(t.hookOut().layer(), t) != null) {
                throw new LoupeException(in + ": two dictionaries write layer " + t.hookOut().layer());
            }
        }
        if (to == Layout.circuit_tracer) {
            CircuitTracerTranscoders.write(out, byLayer, modelName);
        } else if (all.size() == 1) {
            TranscoderFile.write(out, all.get(0), TranscoderFile.madeOn(in));
        } else {
            byLayer.forEach((layer, t) -> TranscoderFile.write(out.resolve("layer_" + layer), t));
        }
        spec.commandLine().getOut().printf("%d dictionar%s from %s written to %s (%s)%n", all.size(),
                all.size() == 1 ? "y" : "ies", in, out, to);
    }
}
