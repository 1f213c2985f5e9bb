package dev.loupe.spark.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.spark.LoupeSpark;
import dev.loupe.spark.ModelRef;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Option;

/** Where a job runs and on which model: the options every {@code loupe spark} command shares. */
public final class SparkOptions {
    @Option(names = "--model", paramLabel = "DIR", description = "Hugging Face model folder, on a path every "
            + "executor sees (default: the embedded model).")
    String model;

    @Option(names = "--engine", paramLabel = "NAME", description = "Engine plugin (default: highest ranked, djl).")
    String engine;

    @Option(names = "--device", defaultValue = "cpu", description = "Device (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N] (in-process), "
            + "spark://HOST:7077, … (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--attempts", defaultValue = "4", description = "Tries per task before the job fails "
            + "(spark.task.maxFailures; default: ${DEFAULT-VALUE}).")
    int attempts;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    ModelRef modelRef() {
        return new ModelRef(model, engine, device);
    }

    /** The context, with its tasks' progress on {@code err}. */
    JavaSparkContext start(java.io.PrintWriter err) {
        if (attempts < 1) {
            throw new LoupeException("--attempts " + attempts + ": expected at least 1");
        }
        JavaSparkContext sc = LoupeSpark.start(master, attempts);
        sc.sc().addSparkListener(new TaskProgress(err));
        return sc;
    }
}
