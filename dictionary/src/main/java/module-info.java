/**
 * Sparse dictionaries as files: SAEs and transcoders of every SAELens architecture read and written in SAELens's
 * layout (v5 and v6 cfg), Gemma Scope {@code params.npz}, circuit-tracer transcoder sets, and Loupe's older files,
 * as one {@code Transcoder} value (hooks, input convention, {@code SparseMlp}). Methods, the app and other tools
 * read dictionaries here without depending on the transcoder method.
 */
module dev.loupe.dictionary {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires dev.loupe.json;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports dev.loupe.dictionary;

    opens dev.loupe.dictionary to com.fasterxml.jackson.databind;
}
