package dev.loupe.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TensorTest {
    private static final Tensor T = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 3, 2);

    @Test
    void permuteMovesElements() {
        Tensor p = T.permute(1, 0, 2);
        assertArrayEquals(new int[] {3, 2, 2}, p.shape());
        assertEquals(T.get(1, 2, 0), p.get(2, 1, 0));
        assertEquals(T.get(0, 1, 1), p.get(1, 0, 1));
    }

    @Test
    void sliceSelectAndReshape() {
        assertArrayEquals(new float[] {2, 3, 4, 5, 8, 9, 10, 11}, T.slice(1, 1, 3).toArray());
        assertArrayEquals(new float[] {6, 7, 8, 9, 10, 11}, T.select(1).toArray());
        assertArrayEquals(new int[] {4, 3}, T.reshape(4, -1).shape());
        assertEquals(T.reshape(6, 2).transpose().transpose(), T.reshape(6, 2));
    }

    @Test
    void arithmetic() {
        Tensor v = Tensor.vector(3, 4);
        assertEquals(5.0, v.norm(), 1e-12);
        assertEquals(25.0, v.dot(v), 1e-12);
        assertEquals(Tensor.vector(6, 8), v.add(v));
        assertEquals(Tensor.vector(0, 0), v.sub(v));
        assertEquals(1, v.argmax());
    }
}
