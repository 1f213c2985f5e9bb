package dev.loupe.eval.toy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** "Senator NAME of STATE is a" → the party of the state (a fixed, made-up assignment). */
public final class Party implements ToyTask {
    static final List<String> FIRST_PARTY_STATES = List.of("Ohio", "Texas", "Maine", "Utah", "Iowa", "Idaho",
            "Oregon", "Nevada", "Vermont", "Kansas");
    static final List<String> SECOND_PARTY_STATES = List.of("Alaska", "Hawaii", "Georgia", "Montana", "Arizona",
            "Florida", "Illinois", "Indiana", "Virginia", "Colorado");
    static final List<String> SURNAMES = List.of("Smith", "Brown", "Miller", "Wilson", "Moore", "Taylor", "Clark",
            "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
            "Ward");

    @Override
    public String name() {
        return "party";
    }

    @Override
    public TaskExample sample(Random rnd, boolean heldOut) {
        while (true) {
            boolean first = rnd.nextBoolean();
            String state = ToyTask.pick(rnd, first ? FIRST_PARTY_STATES : SECOND_PARTY_STATES);
            String surname = ToyTask.pick(rnd, SURNAMES);
            if (ToyTask.heldOut(surname + state) != heldOut) {
                continue;
            }
            String party = first ? "Democrat" : "Republican";
            return new TaskExample(name(), "Senator " + surname + " of " + state + " is a", party + " .",
                    Set.of(party), heldOut);
        }
    }

    @Override
    public List<String> words() {
        List<String> w = new ArrayList<>(FIRST_PARTY_STATES);
        w.addAll(SECOND_PARTY_STATES);
        w.addAll(SURNAMES);
        w.addAll(List.of("Senator", "of", "is", "a", "Democrat", "Republican", "."));
        return w;
    }
}
