/** Loupe: observable propagation (issue 7). Placeholder until its issue lands. */
module dev.loupe.method.obsprop {
    requires dev.loupe.api;
}
