/** Loupe: benchmarks and evaluators (issue 3). Placeholder until its issue lands. */
module dev.loupe.eval {
    requires dev.loupe.api;
}
