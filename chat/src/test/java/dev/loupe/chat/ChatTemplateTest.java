package dev.loupe.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat templates render as transformers renders them: every case of testdata/chat/expected.json was rendered by
 * jinja2 3.1.6 under apply_chat_template's settings (make_chat.py); Loupe must give the same text or the same
 * raise_exception message. And the sandbox holds.
 */
class ChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Path testdata(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("testdata").resolve(relative))) {
                return dir.resolve("testdata").resolve(relative);
            }
        }
        throw new IllegalStateException("testdata/" + relative + " not found");
    }

    private ChatTemplate template(String source) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m" + source.hashCode()));
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(java.util.Map.of(
                "chat_template", source, "bos_token", "<s>", "eos_token", java.util.Map.of("content", "</s>"))));
        return ChatTemplate.read(dir);
    }

    @Test
    void rendersEveryCaseAsJinja2Does() throws IOException {
        JsonNode conversations = JSON.readTree(testdata("chat/conversations.json").toFile());
        JsonNode cases = JSON.readTree(testdata("chat/expected.json").toFile());
        int checked = 0;
        for (JsonNode c : cases) {
            ChatTemplate t = template(Files.readString(testdata("chat/" + c.get("template").asText() + ".jinja")));
            List<ChatTemplate.Message> messages = new ArrayList<>();
            for (JsonNode m : conversations.get(c.get("conversation").asText())) {
                messages.add(new ChatTemplate.Message(m.get("role").asText(), m.get("content").asText()));
            }
            String what = c.get("template").asText() + " / " + c.get("conversation").asText() + " / "
                    + c.get("add_generation_prompt").asBoolean();
            if (c.has("text")) {
                assertEquals(c.get("text").asText(), t.render(messages, c.get("add_generation_prompt").asBoolean()),
                        what);
            } else {
                LoupeException e = assertThrows(LoupeException.class,
                        () -> t.render(messages, c.get("add_generation_prompt").asBoolean()), what);
                assertTrue(e.getMessage().endsWith("chat_template: " + c.get("error").asText()), what + ": "
                        + e.getMessage());
            }
            checked++;
        }
        assertEquals(24, checked);
    }

    @Test
    void theSandboxReachesNoFilesAndNoJava() throws IOException {
        List<ChatTemplate.Message> hi = List.of(new ChatTemplate.Message("user", "hi"));
        Path passwd = Files.writeString(tmp.resolve("passwd.txt"), "TOPSECRET");
        for (String evil : List.of("{% include '" + passwd + "' %}", "{% import '" + passwd + "' as x %}",
                "{% extends '" + passwd + "' %}", "{{ messages.getClass() }}",
                "{{ ''.getClass().forName('java.lang.Runtime') }}", "{{ messages.class }}",
                "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")) {
            LoupeException e = assertThrows(LoupeException.class, () -> template(evil).render(hi, true), evil);
            assertTrue(e.getMessage().contains("chat_template: ") && !e.getMessage().contains("TOPSECRET"),
                    evil + ": " + e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void missingOrMalformedTemplatesAreNamed() throws IOException {
        Path none = Files.createDirectories(tmp.resolve("none"));
        assertEquals("--chat: " + none + " has no tokenizer_config.json (no chat template)",
                assertThrows(LoupeException.class, () -> ChatTemplate.read(none)).getMessage());
        Files.writeString(none.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        assertEquals("--chat: " + none.resolve("tokenizer_config.json") + " has no chat_template",
                assertThrows(LoupeException.class, () -> ChatTemplate.read(none)).getMessage());
        Files.writeString(none.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"tool_use\", "
                + "\"template\": \"x\"}, {\"name\": \"default\", \"template\": \"{{ messages[0].content }}!\"}]}");
        assertEquals("hi!", ChatTemplate.read(none).render(List.of(new ChatTemplate.Message("user", "hi")), false),
                "the template named default");
    }
}
