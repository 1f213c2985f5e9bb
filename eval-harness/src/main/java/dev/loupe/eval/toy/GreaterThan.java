package dev.loupe.eval.toy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** "The war lasted from the year 17YY to the year 17" → any YY' > YY (the greater-than task). */
public final class GreaterThan implements ToyTask {
    static final List<String> NOUNS = List.of("war", "siege", "drought", "strike", "famine", "voyage", "feud", "reign",
            "dispute", "campaign", "expedition", "festival");

    @Override
    public String name() {
        return "greater-than";
    }

    @Override
    public TaskExample sample(Random rnd, boolean heldOut) {
        while (true) {
            String noun = ToyTask.pick(rnd, NOUNS);
            int yy = 2 + rnd.nextInt(97);
            if (ToyTask.heldOut(noun + yy) != heldOut) {
                continue;
            }
            Set<String> valid = new HashSet<>();
            for (int y = yy + 1; y <= 99; y++) {
                valid.add(twoDigits(y));
            }
            int answer = yy + 1 + rnd.nextInt(99 - yy);
            String prompt = "The " + noun + " lasted from the year 17" + twoDigits(yy) + " to the year 17";
            return new TaskExample(name(), prompt, twoDigits(answer) + " .", valid, heldOut);
        }
    }

    /** The start year YY of a prompt made by this task. */
    public static int startYear(String prompt) {
        int at = prompt.indexOf("year 17") + 7;
        return Integer.parseInt(prompt.substring(at, at + 2));
    }

    public static String twoDigits(int y) {
        return (y < 10 ? "0" : "") + y;
    }

    @Override
    public List<String> words() {
        List<String> w = new ArrayList<>(NOUNS);
        w.addAll(List.of("The", "lasted", "from", "the", "year", "to", "17", "."));
        for (int y = 0; y < 100; y++) {
            w.add(twoDigits(y));
        }
        return w;
    }
}
