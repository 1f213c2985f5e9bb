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
}
