/** Loupe: transcoders and feature circuits (issue 6). Placeholder until its issue lands. */
module dev.loupe.method.transcoder {
    requires dev.loupe.api;
}
