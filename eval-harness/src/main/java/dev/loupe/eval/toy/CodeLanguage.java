package dev.loupe.eval.toy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Snippets of four small made-up languages → "This code is written in LANGUAGE". */
public final class CodeLanguage implements ToyTask {
    static final List<String> LANGUAGES = List.of("Blip", "Marn", "Zuko", "Quor");
    static final List<String> NAMES = List.of("x", "y", "z", "count", "total", "item", "size", "flag");

    @Override
    public String name() {
        return "code-language";
    }

    @Override
    public TaskExample sample(Random rnd, boolean heldOut) {
        while (true) {
            int lang = rnd.nextInt(LANGUAGES.size());
            StringBuilder code = new StringBuilder();
            int statements = 2 + rnd.nextInt(2);
            for (int i = 0; i < statements; i++) {
                code.append(i > 0 ? " " : "").append(statement(lang, rnd));
            }
            String snippet = code.toString();
            if (ToyTask.heldOut(snippet) != heldOut) {
                continue;
            }
            String language = LANGUAGES.get(lang);
            return new TaskExample(name(), snippet + " . This code is written in", language + " .", Set.of(language),
                    heldOut);
        }
    }

    private static String statement(int lang, Random rnd) {
        String a = ToyTask.pick(rnd, NAMES);
        String b = ToyTask.pick(rnd, NAMES);
        int n = 1 + rnd.nextInt(9);
        return switch (lang * 3 + rnd.nextInt(3)) {
            case 0 -> "blip " + a + " := " + n + " ;";
            case 1 -> "show " + a + " ;";
            case 2 -> "loop " + a + " := " + b + " done ;";
            case 3 -> "let " + a + " be " + n + " then";
            case 4 -> "print " + a + " then";
            case 5 -> "while " + a + " be " + b + " stop";
            case 6 -> "fn " + a + " -> " + n + " end";
            case 7 -> "emit " + a + " end";
            case 8 -> "when " + a + " -> " + b + " end";
            case 9 -> "var " + a + " = " + n + " ;;";
            case 10 -> "say " + a + " ;;";
            default -> "repeat " + a + " = " + b + " until ;;";
        };
    }

    @Override
    public List<String> words() {
        List<String> w = new ArrayList<>(LANGUAGES);
        w.addAll(NAMES);
        w.addAll(List.of("blip", ":=", ";", "show", "loop", "done", "let", "be", "then", "print", "while", "stop",
                "fn", "->", "end", "emit", "when", "var", "=", ";;", "say", "repeat", "until", ".", "This", "code",
                "is", "written", "in", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        return w;
    }
}
