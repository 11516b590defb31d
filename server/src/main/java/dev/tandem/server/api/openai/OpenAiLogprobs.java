package dev.tandem.server.api.openai;

import dev.tandem.models.GenerationEvent.TokenLogprob;
import dev.tandem.models.GenerationEvent.TopLogprob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Logprobs in OpenAI's two formats. */
final class OpenAiLogprobs {
    private OpenAiLogprobs() {}

    static ChatWire.TokenLogprob chat(TokenLogprob lp) {
        List<ChatWire.TopLogprob> top = new ArrayList<>();
        for (TopLogprob t : lp.top()) {
            top.add(new ChatWire.TopLogprob(t.token(), t.logprob(), bytes(t.token())));
        }
        return new ChatWire.TokenLogprob(lp.token(), lp.logprob(), bytes(lp.token()), top);
    }

    static List<Integer> bytes(String token) {
        byte[] raw = token.getBytes(StandardCharsets.UTF_8);
        List<Integer> out = new ArrayList<>(raw.length);
        for (byte b : raw) {
            out.add(b & 0xff);
        }
        return out;
    }

    /** The legacy token label: its text, or {@code token_id:N} when asked (vLLM's return_tokens_as_token_ids). */
    static String label(int id, String token, boolean asIds) {
        return asIds ? "token_id:" + id : token;
    }
}
