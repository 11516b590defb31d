package dev.tandem.server.remote;

import dev.tandem.server.core.Content;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.ToolSpec;

/**
 * A token count for a prompt when the upstream has not said yet (OpenAI reports usage only at the
 * end). The usual rule of thumb for BPE tokenizers on English and code: one token per four
 * characters, plus a few tokens of framing per message, and 85 per image (OpenAI's low-detail
 * price). Finished always carries the upstream's real figures when it gives them.
 */
final class PromptEstimate {
    private static final int PER_MESSAGE = 4;
    private static final int PER_IMAGE = 85;

    private PromptEstimate() {}

    static int tokens(InferenceRequest request) {
        long chars = 0;
        int extra = 0;
        if (request.input() instanceof Input.Chat chat) {
            if (chat.system() != null) {
                chars += chat.system().length();
                extra += PER_MESSAGE;
            }
            for (Message m : chat.messages()) {
                extra += PER_MESSAGE;
                for (Content c : m.content()) {
                    chars += chars(c);
                    extra += images(c);
                }
            }
        } else if (request.input() instanceof Input.Completion completion
                && completion.prompt() instanceof dev.tandem.models.Prompt.Text text) {
            chars += text.text().length();
        } else if (request.input() instanceof Input.Completion completion
                && completion.prompt() instanceof dev.tandem.models.Prompt.Tokens ids) {
            extra += ids.ids().length;
        }
        for (ToolSpec tool : request.tools()) {
            chars += tool.name().length() + tool.inputSchemaJson().length()
                    + (tool.description() == null ? 0 : tool.description().length());
        }
        return (int) Math.min(Integer.MAX_VALUE, (chars + 3) / 4 + extra);
    }

    private static long chars(Content c) {
        if (c instanceof Content.Text t) {
            return t.text().length();
        }
        if (c instanceof Content.ToolUse u) {
            return u.name().length() + u.argumentsJson().length();
        }
        if (c instanceof Content.ToolResult r) {
            return r.content().stream().mapToLong(PromptEstimate::chars).sum();
        }
        return 0;
    }

    private static int images(Content c) {
        if (c instanceof Content.Image) {
            return PER_IMAGE;
        }
        if (c instanceof Content.ToolResult r) {
            return r.content().stream().mapToInt(PromptEstimate::images).sum();
        }
        return 0;
    }
}
