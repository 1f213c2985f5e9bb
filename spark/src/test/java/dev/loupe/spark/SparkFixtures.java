package dev.loupe.spark;

import dev.loupe.io.SafetensorsFile;
import dev.loupe.method.transcoder.ActivationHarvest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A user's corpus as a test writes it, and a harvest's rows read back in manifest order. */
final class SparkFixtures {
    private static final String[] WORDS = ("the war lasted from year to she he went store because wanted bread and "
            + "her his friend said that it was a good day for walk in park they saw dog cat ran away").split(" ");

    private SparkFixtures() {}

    /** A folder of JSONL and plain-text files of seeded sentences: a corpus of several files of unequal size. */
    static Path corpus(Path dir, long seed) throws IOException {
        Random r = new Random(seed);
        Path root = Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(root.resolve("a.jsonl"), lines(r, 60, true));
        Files.writeString(root.resolve("b.txt"), String.join(" ", lines(r, 25, false).split("\n")));
        Files.writeString(root.resolve("c.jsonl"), lines(r, 90, true));
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/e.jsonl"), lines(r, 50, true));
        return root;
    }

    private static String lines(Random r, int n, boolean jsonl) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            StringBuilder s = new StringBuilder();
            int words = 4 + r.nextInt(20);
            for (int w = 0; w < words; w++) {
                s.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
            }
            s.append('.');
            b.append(jsonl ? "{\"text\": \"" + s + "\", \"id\": " + i + "}" : s).append('\n');
        }
        return b.toString();
    }

    /** Every row of a harvest, x then y, in manifest order. */
    static float[][] rows(Path dir) {
        ActivationHarvest h = ActivationHarvest.open(dir);
        List<float[]> xs = new ArrayList<>();
        List<float[]> ys = new ArrayList<>();
        for (String shard : h.shards()) {
            try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(shard))) {
                xs.add(f.tensor("x").toArray());
                ys.add(f.tensor("y").toArray());
            }
        }
        return new float[][] {concat(xs), concat(ys)};
    }

    private static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
