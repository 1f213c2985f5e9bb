/**
 * The embedded default model: a small GPT-2-architecture checkpoint trained by {@code loupe train-toy} on the toy
 * world, shipped as resources (JDK only, so any module's tests may use it).
 */
module dev.loupe.toymodel {
    exports dev.loupe.toymodel;
}
