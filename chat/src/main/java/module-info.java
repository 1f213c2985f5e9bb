/**
 * Chat prompts as the model was trained to see them: the {@code chat_template} of a checkpoint's
 * {@code tokenizer_config.json} rendered as transformers' {@code apply_chat_template} renders it, in a sandbox.
 */
module dev.loupe.chat {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;
    requires jinjava;

    exports dev.loupe.chat;
}
