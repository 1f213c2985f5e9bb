package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Each layer's keys and values [batch, positions, kv_heads, d_head] (after q/k norms, rotary and their hooks'
 * interventions, before grouped-query repetition), held in native memory by the session's manager. A forward pass
 * {@link #extend}s them; {@link #commit} keeps the extended arrays once the pass is done.
 */
final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final NDArray[] pendingKeys;
    private final NDArray[] pendingValues;

    KvCache(NDManager parent, int layers) {
        manager = parent.newSubManager();
        keys = new NDArray[layers];
        values = new NDArray[layers];
        pendingKeys = new NDArray[layers];
        pendingValues = new NDArray[layers];
    }

    /** The cached keys and values of layer {@code l} with the new ones appended, in the new ones' manager. */
    NDArray[] extend(int l, NDArray k, NDArray v) {
        NDArray fullK = keys[l] == null ? k : keys[l].concat(k, 1);
        NDArray fullV = values[l] == null ? v : values[l].concat(v, 1);
        fullK.attach(k.getManager()); // so what the pass derives from them is freed with the pass
        fullV.attach(v.getManager());
        pendingKeys[l] = fullK;
        pendingValues[l] = fullV;
        return new NDArray[] {fullK, fullV};
    }

    /** Keeps the arrays of the pass that just ran, before its manager closes. */
    void commit() {
        for (int l = 0; l < keys.length; l++) {
            if (pendingKeys[l] != null) {
                if (keys[l] != null) {
                    keys[l].close();
                    values[l].close();
                }
                keys[l] = pendingKeys[l];
                values[l] = pendingValues[l];
                keys[l].attach(manager);
                values[l].attach(manager);
                pendingKeys[l] = null;
                pendingValues[l] = null;
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
