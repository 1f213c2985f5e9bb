/**
 * The user's data in the formats their other tools use: text corpora (plain text files and folders, JSONL,
 * Parquet), cut
 * into token windows under one BOS policy, prompt sets, and the strict Jackson binding of Loupe's own formats.
 * Depends on the api and Jackson; methods, engines and the app read data through it.
 */
module dev.loupe.data {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;
    requires dev.hardwood.core;
    requires snappy.java;
    requires com.github.luben.zstd_jni;

    exports dev.loupe.data;
}
