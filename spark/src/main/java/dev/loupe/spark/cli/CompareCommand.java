package dev.loupe.spark.cli;

import dev.loupe.spark.HarvestDiff;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code loupe spark compare A B}: whether two harvest folders hold the same rows, bit for bit. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare two harvest folders row by row (bitwise), whatever their shards: exit 0 when "
                + "identical, 3 when not.",
        footer = {"", "Example: loupe spark compare single-machine-acts spark-acts"})
public final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "EXPECTED", description = "A harvest folder.")
    Path expected;

    @Parameters(index = "1", paramLabel = "ACTUAL", description = "Another harvest folder.")
    Path actual;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        HarvestDiff d = HarvestDiff.of(expected, actual);
        if (d.identical()) {
            spec.commandLine().getOut().printf("identical: %d rows, bit for bit%n", d.rows());
            return 0;
        }
        spec.commandLine().getOut().println(d.firstDiff() >= 0 ? "different: row " + d.firstDiff() + " differs"
                : "different: the harvests differ in length, hooks or widths (" + d.rows() + " rows agree)");
        return 3;
    }
}
