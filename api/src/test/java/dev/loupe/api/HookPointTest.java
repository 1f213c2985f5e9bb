package dev.loupe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HookPointTest {
    private static ModelSpec gpt2Like() {
        return new ModelSpec("gpt2", 2, 64, 4, 4, 16, 256, 512, 64, ModelSpec.NormKind.LAYER_NORM, 1e-5,
                ModelSpec.PositionalKind.LEARNED, 0, 0, ModelSpec.Activation.GELU, false, false, true);
    }

    @Test
    void everyNameParsesBackToItself() {
        for (HookPoint h : gpt2Like().hookPoints()) {
            assertEquals(h, HookPoint.parse(h.name()));
        }
        assertEquals("blocks.11.attn.hook_pattern", HookPoint.parse("blocks.11.attn.hook_pattern").name());
        assertEquals(HookPoint.of(HookSite.LN_FINAL_NORMALIZED), HookPoint.parse("ln_final.hook_normalized"));
    }

    @Test
    void hookPointsAreInForwardOrder() {
        List<HookPoint> hooks = gpt2Like().hookPoints();
        List<HookPoint> sorted = new ArrayList<>(hooks);
        sorted.sort(null);
        assertEquals(sorted, hooks);
        assertEquals("hook_embed", hooks.get(0).name());
        assertEquals("ln_final.hook_out", hooks.get(hooks.size() - 1).name());
        assertTrue(hooks.contains(HookPoint.parse("blocks.1.hook_resid_mid")));
        assertTrue(!hooks.contains(HookPoint.parse("blocks.1.attn.hook_rot_q")), "GPT-2 has no rotary hooks");
    }

    @Test
    void unknownNamesSuggestTheNearest() {
        LoupeException e = assertThrows(LoupeException.class, () -> HookPoint.parse("blocks.3.attn.hook_patern"));
        assertTrue(e.getMessage().startsWith("unknown hook 'blocks.3.attn.hook_patern'; nearest valid names: "
                + "blocks.3.attn.hook_pattern"), e.getMessage());
        e = assertThrows(LoupeException.class, () -> HookPoint.parse("ln_final.hook_norm"));
        assertTrue(e.getMessage().contains("ln_final.hook_normalized"), e.getMessage());
    }

    @Test
    void shapesFollowTransformerLens() {
        ModelSpec s = gpt2Like();
        assertEquals(List.of(2, 4, 7, 7), box(s.shapeOf(HookPoint.parse("blocks.0.attn.hook_pattern"), 2, 7)));
        assertEquals(List.of(2, 7, 4, 16), box(s.shapeOf(HookPoint.parse("blocks.0.attn.hook_z"), 2, 7)));
        assertEquals(List.of(2, 7, 256), box(s.shapeOf(HookPoint.parse("blocks.1.mlp.hook_post"), 2, 7)));
    }

    private static List<Integer> box(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int x : a) {
            out.add(x);
        }
        return out;
    }
}
