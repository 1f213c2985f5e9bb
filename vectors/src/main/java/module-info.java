/**
 * Steering vectors as files: Loupe's vector pair ({@code NAME.json} + {@code NAME.safetensors}) and GGUF control
 * vectors (llama.cpp, repeng), with the {@code SteeringPlacement} that turns a vector into an intervention. Methods,
 * the app and other tools read, write and apply vectors here without depending on the method that made them.
 */
module dev.loupe.vectors {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires dev.loupe.data;
    requires dev.loupe.json;
    requires com.fasterxml.jackson.databind;

    exports dev.loupe.vectors;

    opens dev.loupe.vectors to com.fasterxml.jackson.databind;
}
