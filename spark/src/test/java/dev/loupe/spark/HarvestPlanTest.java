package dev.loupe.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.api.LoupeException;
import dev.loupe.data.TokenizerPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plan's pieces reassemble, per partition, exactly the stretch of the packed stream its windows read. */
class HarvestPlanTest {
    @Test
    void piecesReassembleEachPartitionsStretchOfTheStream() {
        Random r = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            int files = 1 + r.nextInt(6);
            int[][] tokens = new int[files][];
            long[] lengths = new long[files];
            int next = 0;
            for (int f = 0; f < files; f++) {
                tokens[f] = new int[r.nextInt(5) == 0 ? 0 : r.nextInt(400)];
                for (int i = 0; i < tokens[f].length; i++) {
                    tokens[f][i] = next++;
                }
                lengths[f] = tokens[f].length;
            }
            boolean drop = r.nextBoolean();
            int context = 4 + r.nextInt(30);
            int text = drop ? context - 1 : context;
            int stride = 1 + r.nextInt(text);
            if (next - (drop ? 1 : 0) < text) {
                assertThrows(LoupeException.class, () -> HarvestPlan.of(lengths, policy(drop, context, stride), 1000,
                        3, 16));
                continue;
            }
            HarvestPlan plan = HarvestPlan.of(lengths, policy(drop, context, stride), 1 + r.nextInt(5000),
                    1 + r.nextInt(4), 16);
            List<List<HarvestPlan.Piece>> byPartition = new ArrayList<>();
            for (int p = 0; p < plan.partitions(); p++) {
                byPartition.add(new ArrayList<>());
            }
            for (int f = 0; f < files; f++) {
                for (Map.Entry<Integer, HarvestPlan.Piece> e : plan.pieces(f, tokens[f])) {
                    byPartition.get(e.getKey()).add(e.getValue());
                }
            }
            long rows = 0;
            for (int p = 0; p < plan.partitions(); p++) {
                int[] slice = plan.assemble(p, byPartition.get(p));
                long[] span = plan.span(p);
                for (int i = 0; i < slice.length; i++) {
                    assertEquals(span[0] + i + (drop ? 1 : 0), slice[i], "stream token " + (span[0] + i));
                }
                assertEquals(0, plan.firstWindow(p) % 16, "partitions start on a model batch");
                rows += plan.rows(p);
            }
            assertEquals(plan.rows(), rows);
        }
    }

    private static TokenizerPolicy policy(boolean bosPerWindow, int context, int stride) {
        return new TokenizerPolicy(context, stride, bosPerWindow ? TokenizerPolicy.Bos.WINDOW : TokenizerPolicy.Bos.NONE);
    }

    @Test
    void theWindowsAreTheSingleMachinesWholeBatches() {
        HarvestPlan plan = HarvestPlan.of(new long[] {1000, 3000}, policy(false, 32, 32), 700, 2, 16);
        assertEquals(23, (700 + 30) / 31, "windows needed");
        assertEquals(32, plan.windows(), "rounded up to two batches of 16, as one machine runs them");
        assertEquals(700, plan.rows());
        assertArrayEquals(new long[] {0, 1000}, plan.offsets());
        assertEquals(2, plan.partitions());
        assertEquals(16 * 31, plan.rows(0));
        assertEquals(700 - 16 * 31, plan.rows(1));
    }
}
