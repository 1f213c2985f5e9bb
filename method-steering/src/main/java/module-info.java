/** Loupe: one-shot optimized steering vectors (issue 5). Placeholder until its issue lands. */
module dev.loupe.method.steering {
    requires dev.loupe.api;
}
