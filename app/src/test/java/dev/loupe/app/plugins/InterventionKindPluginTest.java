package dev.loupe.app.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.json.LoupeJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third party's intervention kind, built at test time, is read from {@code --interventions} by its name and run by
 * the engine from its reference code, on the module path and on the class path; ONNX refuses it by name.
 */
class InterventionKindPluginTest {
    @TempDir
    Path tmp;

    @Test
    void aPluginKindRunsFromAnInterventionsFileAsTheBuiltInItMirrors() throws Exception {
        Path jar = PluginJars.interventionKindJar(tmp, "acme.negate", "acme_negate");
        String hook = "\"hook\": \"blocks.0.hook_mlp_out\", \"positions\": {\"kind\": \"all\"}";
        Path plugin = Files.writeString(tmp.resolve("negate.json"), "[{\"kind\": \"acme_negate\", " + hook + "}]");
        Path builtIn = Files.writeString(tmp.resolve("scale.json"), "[{\"kind\": \"scale\", \"factor\": -1, " + hook
                + "}]");
        List<String> run = List.of("run", "--model", MethodRunTest.golden("gpt2-tiny"), "--tokens", "5,17,300,42",
                "--top-k", "5", "--json", "--interventions");
        for (List<String> launch : PluginJars.launches(jar)) {
            PluginJars.Launched mine = PluginJars.loupe(launch, concat(run, plugin.toString()));
            PluginJars.Launched reference = PluginJars.loupe(launch, concat(run, builtIn.toString()));
            PluginJars.Launched clean = PluginJars.loupe(launch, run.subList(0, run.size() - 1));
            assertEquals(0, mine.code(), launch.get(0) + ": " + mine.output());
            assertEquals(0, reference.code(), reference.output());
            var a = json(mine.output()).get("top_k");
            var b = json(reference.output()).get("top_k");
            assertEquals(b, a, launch.get(0) + ": the plugin kind gives what scale -1 gives");
            assertNotEquals(json(clean.output()).get("top_k"), a, "and it changes the run");

            PluginJars.Launched onnx = PluginJars.loupe(launch, concat(List.of("run", "--engine", "onnx"),
                    concat(run.subList(1, run.size()), plugin.toString())));
            assertEquals(2, onnx.code(), onnx.output());
            assertTrue(onnx.output().contains("engine 'onnx' cannot run intervention kind 'acme_negate'"),
                    onnx.output());
        }
        java.io.StringWriter err = new java.io.StringWriter();
        int code = dev.loupe.app.Main.run(new java.io.PrintWriter(new java.io.StringWriter(), true),
                new java.io.PrintWriter(err, true), concat(run, plugin.toString()).toArray(String[]::new));
        assertEquals(2, code, "without the plugin the kind is unknown: " + err);
        assertTrue(err.toString().startsWith("loupe: " + plugin + ": intervention 0 is not valid"), err.toString());
    }

    /** The JSON document in a launch's output, after any JVM warnings on the merged stderr. */
    private static com.fasterxml.jackson.databind.JsonNode json(String output) throws Exception {
        List<String> lines = output.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("{") || lines.get(i).startsWith("[")) {
                return LoupeJson.mapper().readTree(String.join("\n", lines.subList(i, lines.size())));
            }
        }
        throw new AssertionError("no JSON in: " + output);
    }

    private static List<String> concat(List<String> a, String... more) {
        return concat(a, List.of(more));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
