package dev.loupe.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.loupe.api.LoupeException;
import dev.loupe.io.JsonLimits;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's chat template ({@code chat_template} in {@code tokenizer_config.json}: a string, or a list of
 * named templates of which {@code default} is used), rendered as transformers renders it: Jinja with
 * {@code trim_blocks} and {@code lstrip_blocks}, the variables {@code messages}, {@code add_generation_prompt},
 * {@code bos_token} and {@code eos_token}, and {@code raise_exception}. Sandboxed: {@code include}, {@code import}
 * and {@code extends} find nothing, Java methods and properties such as {@code getClass} are not reachable, output
 * and recursion are bounded; a template that tries is refused with its error, as is any template error.
 * The rendered text is tokenised without adding BOS (the template places it), as {@code apply_chat_template} does.
 */
public final class ChatTemplate {
    /** One chat message. */
    public record Message(String role, String content) {}

    private static final ObjectMapper JSON = LoupeJson.mapper();
    private static final long MAX_OUTPUT = 1 << 24;

    private final Path source;
    private final String template;
    private final String bosToken;
    private final String eosToken;

    ChatTemplate(Path source, String template, String bosToken, String eosToken) {
        this.source = source;
        this.template = template;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    /** The template of the checkpoint in {@code modelDir}, or a one-line error saying why there is none. */
    public static ChatTemplate read(Path modelDir) {
        Path file = modelDir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(file)) {
            throw new LoupeException("--chat: " + modelDir + " has no tokenizer_config.json (no chat template)");
        }
        JsonNode cfg;
        try {
            cfg = JSON.readTree(JsonLimits.check(file, JsonLimits.CONFIG).toFile());
        } catch (IOException e) {
            throw new LoupeException(file + ": not valid JSON (" + String.valueOf(e.getMessage()).lines().findFirst()
                    .orElse("") + ")");
        }
        return new ChatTemplate(file, template(file, cfg.get("chat_template")), token(file, cfg, "bos_token"),
                token(file, cfg, "eos_token"));
    }

    private static String template(Path file, JsonNode t) {
        if (t == null || t.isNull()) {
            throw new LoupeException("--chat: " + file + " has no chat_template");
        }
        if (t.isTextual()) {
            return t.asText();
        }
        if (t.isArray()) {
            for (JsonNode named : t) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    return named.get("template").asText();
                }
            }
            throw new LoupeException(file + ": chat_template is a list with no template named 'default'");
        }
        throw new LoupeException(file + ": chat_template is " + t.getNodeType() + " (expected a string or a list of "
                + "{name, template})");
    }

    /** A special token as a string or as an AddedToken object ({@code content}); "" when absent. */
    private static String token(Path file, JsonNode cfg, String key) {
        JsonNode t = cfg.get(key);
        if (t == null || t.isNull()) {
            return "";
        }
        if (t.isTextual()) {
            return t.asText();
        }
        if (t.isObject() && t.path("content").isTextual()) {
            return t.get("content").asText();
        }
        throw new LoupeException(file + ": " + key + " is " + t + " (expected a string or {\"content\": ...})");
    }

    /** The template's text for {@code messages}, with the assistant's turn opened when {@code addGenerationPrompt}. */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> ms = new ArrayList<>();
        for (Message m : messages) {
            ms.add(Map.of("role", m.role(), "content", m.content()));
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", ms);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        RenderResult r;
        try {
            r = sandbox().renderForResult(template, vars);
        } catch (RuntimeException e) {
            throw refusal(String.valueOf(e.getMessage()));
        }
        for (TemplateError e : r.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw refusal(raised(e).orElse(e.getMessage()));
            }
        }
        if (!r.getErrors().isEmpty()) {
            throw refusal(r.getErrors().get(0).getMessage());
        }
        return r.getOutput();
    }

    private LoupeException refusal(String why) {
        return new LoupeException(source + ": chat_template: " + why.lines().findFirst().orElse(why));
    }

    /** What a {@code raise_exception('...')} said, when that is what failed. */
    private static java.util.Optional<String> raised(TemplateError e) {
        Throwable t = e.getException();
        while (t != null) {
            if (t instanceof Raised r) {
                return java.util.Optional.of(r.getMessage());
            }
            t = t.getCause();
        }
        return java.util.Optional.empty();
    }

    /** A Jinja engine with HF's settings and nothing outside the template reachable. */
    private static Jinjava sandbox() {
        JinjavaConfig config = JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                .withMaxOutputSize(MAX_OUTPUT).withMaxRenderDepth(10).withEnableRecursiveMacroCalls(false)
                .withFailOnUnknownTokens(false).withNestedInterpretationEnabled(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder().withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true).withUseNaturalOperatorPrecedence(true)
                        .withKeepNullableLoopValues(true).build()).build();
        Jinjava j = new Jinjava(config);
        j.setResourceLocator((name, encoding, interpreter) -> {
            throw new IOException("'" + name + "': templates cannot read files (sandbox)");
        });
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", String.class));
        return j;
    }

    /** {@code raise_exception(message)}, as transformers defines it for templates. */
    public static String raiseException(String message) {
        throw new Raised(message);
    }

    private static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }
}
