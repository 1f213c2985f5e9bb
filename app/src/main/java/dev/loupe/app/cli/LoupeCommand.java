package dev.loupe.app.cli;

import picocli.CommandLine.Command;

/** The top-level {@code loupe} command. */
@Command(name = "loupe", mixinStandardHelpOptions = true, version = "Loupe 0.1.0",
        description = "Interpretability and steering of transformer language models.",
        subcommands = {DemoCommand.class, ModelsCommand.class, HooksCommand.class, RunCommand.class, EvalCommand.class,
                SteerCommand.class, ObsPropCommand.class, TranscoderCommand.class, ExportOnnxCommand.class,
                TrainToyCommand.class, BenchCommand.class, MethodCommand.class, GenerateCommand.class},
        footer = {"", "Examples:",
                "  loupe run --model testdata/golden/llama-tiny --tokens 1,2,3 --top-k 5",
                "  loupe hooks --model DIR --json",
                "  loupe run --model DIR --prompt \"The war lasted from\" --cache all --out cache.safetensors",
                "  loupe export-onnx --out build/model.onnx && loupe run --engine onnx --model build/model.onnx --prompt \"Hi\""})
public final class LoupeCommand {
}
