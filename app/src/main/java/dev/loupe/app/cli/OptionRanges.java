package dev.loupe.app.cli;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * The one check of numeric options: every field marked {@link Range} on the commands about to run (and their
 * mixins and argument groups) must hold a value in range, else a one-line usage error naming the option. Installed as the execution
 * strategy, so it runs after parsing and before any command.
 */
public final class OptionRanges implements CommandLine.IExecutionStrategy {
    private final CommandLine.IExecutionStrategy next = new CommandLine.RunLast();

    @Override
    public int execute(CommandLine.ParseResult parsed) {
        for (CommandLine cmd : parsed.asCommandLineList()) {
            check(cmd, cmd.getCommandSpec().userObject());
        }
        return next.execute(parsed);
    }

    private static void check(CommandLine cmd, Object command) {
        if (command == null) {
            return;
        }
        for (Class<?> c = command.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(CommandLine.Mixin.class) || f.isAnnotationPresent(CommandLine.ArgGroup.class)) {
                    check(cmd, read(f, command));
                }
                Range r = f.getAnnotation(Range.class);
                if (r != null) {
                    for (double v : values(f, command)) {
                        if (!(v >= r.min() && v <= r.max())) {
                            throw new CommandLine.ParameterException(cmd, name(f) + " is " + show(v) + ", expected "
                                    + bounds(r));
                        }
                    }
                }
            }
        }
    }

    private static Object read(Field f, Object command) {
        try {
            f.setAccessible(true);
            return f.get(command);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read option " + f, e);
        }
    }

    private static List<Double> values(Field f, Object command) {
        Object v = read(f, command);
        List<Double> out = new ArrayList<>();
        if (v != null && v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                out.add(((Number) Array.get(v, i)).doubleValue());
            }
        } else if (v instanceof Number n) {
            out.add(n.doubleValue());
        }
        return out;
    }

    private static String name(Field f) {
        CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
        return o == null ? f.getName() : o.names()[0];
    }

    private static String show(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String bounds(Range r) {
        boolean low = r.min() != Double.NEGATIVE_INFINITY, high = r.max() != Double.POSITIVE_INFINITY;
        if (low && high) {
            return "a number in [" + show(r.min()) + ", " + show(r.max()) + "]";
        }
        return low ? "a number >= " + show(r.min()) : high ? "a number <= " + show(r.max()) : "a number";
    }
}
