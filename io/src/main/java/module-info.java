/**
 * Loupe's file formats below every plugin: safetensors read (memory-mapped, strict to the Rust crate's rules) and
 * written, atomic writes and multi-file commits with a recovery journal, file digests and JSON size limits.
 */
module dev.loupe.io {
    requires transitive dev.loupe.api;

    exports dev.loupe.io;
}
