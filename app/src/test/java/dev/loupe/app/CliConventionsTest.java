package dev.loupe.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.loupe.app.cli.LoupeCommand;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * README's option conventions hold for every command: examples in --help, every option described, --json wherever
 * --model is.
 */
class CliConventionsTest {
    private static List<CommandLine> leaves(CommandLine c) {
        List<CommandLine> out = new ArrayList<>();
        if (c.getSubcommands().isEmpty()) {
            out.add(c);
        }
        c.getSubcommands().values().stream().distinct().forEach(sub -> out.addAll(leaves(sub)));
        return out;
    }

    @Test
    void everyCommandHasAnExampleAndModelCommandsShareTheirOptions() {
        CommandLine root = new CommandLine(LoupeCommand.class,
                new GuiceFactory(Guice.createInjector(new LoupeModule())));
        List<CommandLine> commands = leaves(root);
        assertTrue(commands.size() >= 20, "commands found: " + commands.size());
        List<String> undescribed = new ArrayList<>();
        for (CommandLine c : commands) {
            String name = c.getCommandSpec().qualifiedName();
            assertTrue(c.getUsageMessage().contains("Example"), name + " --help has no example");
            c.getCommandSpec().options().stream().filter(o -> String.join("", o.description()).isBlank())
                    .forEach(o -> undescribed.add(name + " " + o.longestName()));
            if (c.getCommandSpec().findOption("--model") != null) {
                for (String option : List.of("--engine", "--device", "--json")) {
                    assertTrue(c.getCommandSpec().findOption(option) != null, name + " lacks " + option);
                }
            }
        }
        assertTrue(undescribed.isEmpty(), "options without a description in --help: " + undescribed);
    }

    /** Every numeric option but a seed declares its range ({@code @Range}), checked by OptionRanges. */
    @Test
    void everyNumericOptionDeclaresItsRange() {
        CommandLine root = new CommandLine(LoupeCommand.class,
                new GuiceFactory(Guice.createInjector(new LoupeModule())));
        List<String> unranged = new ArrayList<>();
        int checked = 0;
        for (CommandLine c : leaves(root)) {
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                Class<?> t = o.type().isArray() ? o.type().getComponentType() : o.type();
                boolean numeric = t == int.class || t == long.class || t == double.class || t == float.class
                        || Number.class.isAssignableFrom(t);
                if (!numeric || o.longestName().contains("seed")) {
                    continue;
                }
                checked++;
                if (!(o.userObject() instanceof java.lang.reflect.Field f)
                        || f.getAnnotation(dev.loupe.app.cli.Range.class) == null) {
                    unranged.add(c.getCommandSpec().qualifiedName() + " " + o.longestName());
                }
            }
        }
        assertTrue(checked >= 40, "numeric options found: " + checked);
        assertTrue(unranged.isEmpty(), "numeric options without @Range: " + unranged);
    }
}
