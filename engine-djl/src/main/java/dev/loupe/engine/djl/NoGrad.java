package dev.loupe.engine.djl;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's grad mode off for a block, restored after: in-place parameter updates must not be recorded. Grad mode is
 * per thread and on in a fresh thread (DJL turns it off only in the thread that starts the engine), so a trainer
 * driven from a worker thread (a Spark task, a thread pool) needs it said.
 */
final class NoGrad implements AutoCloseable {
    private final boolean was;

    private NoGrad() {
        was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(was);
    }
}
