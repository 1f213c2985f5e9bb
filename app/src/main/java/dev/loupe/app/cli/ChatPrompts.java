package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;
import dev.loupe.app.ModelLoader;
import dev.loupe.chat.ChatTemplate;
import dev.loupe.data.PromptSet;
import java.util.List;

/**
 * Prompts as token ids: text under the one BOS rule ({@link Tokenizer#encodeWithBos}), or with {@code --chat} the
 * model's chat template rendered over the line's {@code messages} (a text prompt is one user message) with the
 * assistant's turn opened, then tokenised without adding BOS, as {@code apply_chat_template} does.
 */
final class ChatPrompts {
    private final ChatTemplate template;

    private ChatPrompts(ChatTemplate template) {
        this.template = template;
    }

    /** {@code chat}: read the template of the model {@code options} names (the embedded model has none). */
    static ChatPrompts of(ModelOptions options, boolean chat) {
        return new ChatPrompts(chat ? ChatTemplate.read(ModelLoader.directory(options.model)) : null);
    }

    int[] ids(Tokenizer tokenizer, PromptSet.Example e) {
        if (template == null) {
            return tokenizer.encodeWithBos(text(e));
        }
        int[] ids = tokenizer.encode(text(e));
        if (ids.length == 0) {
            throw new LoupeException("--chat: the chat template rendered '" + e.text() + "' as no tokens");
        }
        return ids;
    }

    /** The prompt's text: as given, or (--chat) the template's rendering, whose special tokens it carries. */
    String text(PromptSet.Example e) {
        if (template == null) {
            if (e.prompt() == null) {
                throw new LoupeException("a prompt given as 'messages' needs --chat (the model's chat template)");
            }
            return e.prompt();
        }
        List<ChatTemplate.Message> messages = e.prompt() != null ? List.of(new ChatTemplate.Message("user",
                e.prompt())) : e.messages().stream().map(t -> new ChatTemplate.Message(t.role(), t.content())).toList();
        return template.render(messages, true);
    }

    /** A single prompt's text, as {@link #text(PromptSet.Example)} renders it. */
    String text(String prompt) {
        return text(new PromptSet.Example(prompt, List.of(), List.of(), null));
    }

    int[] ids(Tokenizer tokenizer, String prompt) {
        return ids(tokenizer, new PromptSet.Example(prompt, List.of(), List.of(), null));
    }
}
