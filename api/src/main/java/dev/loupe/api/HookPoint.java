package dev.loupe.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named place in the forward pass where activations can be read or changed, with TransformerLens names:
 * {@code hook_embed}, {@code blocks.3.hook_resid_pre}, {@code blocks.0.attn.hook_pattern},
 * {@code ln_final.hook_out}. This class is the only place that parses and prints those names.
 *
 * @param site  what the hook is
 * @param layer the block index for per-block sites, -1 for global ones
 */
public record HookPoint(HookSite site, int layer) implements Comparable<HookPoint> {
    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(.+)");

    public HookPoint {
        if (site.perBlock() && layer < 0) {
            throw new IllegalArgumentException("hook " + site.suffix() + " needs a layer");
        }
        if (!site.perBlock() && layer != -1) {
            throw new IllegalArgumentException("hook " + site.suffix() + " is not per block");
        }
    }

    /** A per-block hook. */
    public static HookPoint of(int layer, HookSite site) {
        return new HookPoint(site, layer);
    }

    /** A global hook (embeddings, final norm). */
    public static HookPoint of(HookSite site) {
        return new HookPoint(site, -1);
    }

    public static HookPoint residPre(int layer) {
        return of(layer, HookSite.RESID_PRE);
    }

    /** Parses a TransformerLens hook name; the error names the nearest valid names. */
    public static HookPoint parse(String name) {
        String n = name.strip();
        Matcher m = BLOCK.matcher(n);
        if (m.matches()) {
            int layer = Integer.parseInt(m.group(1));
            for (HookSite s : HookSite.values()) {
                if (s.perBlock() && s.suffix().equals(m.group(2))) {
                    return new HookPoint(s, layer);
                }
            }
        } else {
            for (HookSite s : HookSite.values()) {
                if (!s.perBlock() && s.suffix().equals(n)) {
                    return new HookPoint(s, -1);
                }
            }
        }
        throw new LoupeException("unknown hook '" + name + "'; nearest valid names: "
                + String.join(", ", nearest(n, 3)));
    }

    /** Up to {@code k} valid hook names closest to {@code name} by edit distance. */
    public static List<String> nearest(String name, int k) {
        Matcher m = BLOCK.matcher(name);
        int layer = m.lookingAt() ? Integer.parseInt(m.group(1)) : 0;
        List<String> candidates = new ArrayList<>();
        for (HookSite s : HookSite.values()) {
            candidates.add(s.perBlock() ? new HookPoint(s, layer).name() : s.suffix());
        }
        candidates.sort(Comparator.comparingInt((String c) -> editDistance(c, name)).thenComparing(c -> c));
        return candidates.subList(0, Math.min(k, candidates.size()));
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The TransformerLens name. */
    public String name() {
        return site.perBlock() ? "blocks." + layer + "." + site.suffix() : site.suffix();
    }

    /** Forward order: embeddings, then blocks in order (sites in forward order), then the final norm. */
    @Override
    public int compareTo(HookPoint o) {
        return Long.compare(orderKey(), o.orderKey());
    }

    private long orderKey() {
        long block = switch (site) {
            case EMBED, POS_EMBED -> -1;
            case LN_FINAL_SCALE, LN_FINAL_NORMALIZED, LN_FINAL_OUT -> Integer.MAX_VALUE;
            default -> layer;
        };
        return block * 64 + site.ordinal();
    }

    @Override
    public String toString() {
        return name();
    }
}
