/** Loupe method: one-shot optimized steering vectors (Dunefsky et al., COLM 2025). */
module dev.loupe.method.steering {
    requires transitive dev.loupe.api;

    exports dev.loupe.method.steering;
}
