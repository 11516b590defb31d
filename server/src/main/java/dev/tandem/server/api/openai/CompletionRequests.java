package dev.tandem.server.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.Prompt;
import dev.tandem.server.api.FieldRules;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.Params;
import dev.tandem.server.api.SamplingChecks;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Sampling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A legacy Completions request, checked and turned into one internal request per prompt × n (prompt-major). */
final class CompletionRequests {
    /** OpenAI's documented default for legacy completions. */
    static final int DEFAULT_MAX_TOKENS = 16;
    static final int MAX_CHOICES = 256;

    /**
     * The known fields {@link CompletionWire.Request} does not read (legacy completions are served by the
     * local model only, so nothing is passed on): vLLM's extensions this server does not do, refused with
     * what to send instead.
     */
    static final FieldRules FIELDS = FieldRules.builder(Dialect.OPENAI)
            .refuse("structured output is served on /v1/chat/completions ('response_format').", "response_format",
                    "guided_json", "guided_regex", "guided_choice", "guided_grammar", "guided_decoding_backend", "structured_outputs")
            .refuse("beam search is not supported.", "use_beam_search", "length_penalty")
            .refuse("the local engine scores generated tokens only.", "prompt_logprobs")
            .refuse("prompts are never truncated; shorten the prompt.", "truncate_prompt_tokens")
            .refuse("send 'logit_bias' with -100 for the tokens to ban or allow.", "allowed_token_ids", "bad_words")
            .build();

    private CompletionRequests() {}

    static List<InferenceRequest> toInference(CompletionWire.Request r, Origin origin) {
        Params.requiredText(r.model(), "model");
        FIELDS.apply(r.others() == null ? Map.of() : r.others(), List.of());
        List<Prompt> prompts = prompts(r.prompt());
        int maxTokens = Params.maxTokens(r.maxTokens() == null ? DEFAULT_MAX_TOKENS : r.maxTokens(), "max_tokens");
        int n = r.n() == null ? 1 : Params.range(r.n(), 1, ChatRequests.MAX_N, "n");
        if (r.bestOf() != null && r.bestOf() != n) {
            throw ApiException.invalid("best_of", "'best_of' is not supported (other than equal to n).");
        }
        if (prompts.size() * n > MAX_CHOICES) {
            throw ApiException.invalid("n", "prompts × n must be at most " + MAX_CHOICES + ", got " + prompts.size() * n + ".");
        }
        Sampling sampling = SamplingChecks.openAi(r.temperature(), r.topP(), r.topK(), r.minP(), r.seed(),
                r.presencePenalty(), r.frequencyPenalty(), r.repetitionPenalty(), r.ignoreEos(), r.minTokens(), maxTokens)
                .toBuilder()
                .withLogitBias(Params.logitBias(r.logitBias(), "logit_bias"))
                .withStopTokenIds(Params.tokenIds(r.stopTokenIds(), "stop_token_ids"))
                .build();
        List<String> stop = Params.stopSequences(r.stop(), "stop");
        Integer logprobs = Params.range(r.logprobs(), 0, 20, "logprobs");
        boolean echo = Boolean.TRUE.equals(r.echo());
        // OpenAI and vLLM answer echo + logprobs with the logprobs of the prompt tokens too (all but the
        // first, which has no context). The engine scores generated tokens only; nulls in their place
        // would break the evaluation tools (loglikelihood scoring) that send exactly this request.
        if (echo && logprobs != null) {
            throw ApiException.invalid("echo", "'echo' together with 'logprobs' asks for the logprobs of the prompt tokens, "
                    + "which this server's local engine does not compute (it scores generated tokens only); "
                    + "send 'logprobs' without 'echo' for the completion's logprobs, or 'echo' without 'logprobs'.");
        }
        if (r.streamOptions() != null && !Boolean.TRUE.equals(r.stream())) {
            throw ApiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
        }
        List<InferenceRequest> out = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            Input.Completion input = new Input.Completion(prompts.get(p), r.suffix(), echo);
            for (int i = 0; i < n; i++) {
                out.add(origin.request(p * n + i, prompts.size() * n, Dialect.OPENAI, r.model(), input)
                        .withMaxTokens(maxTokens, r.maxTokens() == null)
                        .withSampling(sampling.forChoice(i))
                        .withStop(stop)
                        .withTopLogprobs(logprobs)
                        .withStream(Boolean.TRUE.equals(r.stream()))
                        .withUser(r.user())
                        .build());
            }
        }
        return out;
    }

    /** A string, a list of strings, a list of token ids, or a list of lists of token ids. */
    static List<Prompt> prompts(JsonNode node) {
        String must = "'prompt' must be a string, an array of strings, an array of token ids or an array of arrays of token ids.";
        if (node == null || node.isNull()) {
            throw ApiException.invalid("prompt", "'prompt' is required.");
        }
        if (node.isTextual()) {
            return List.of(Prompt.text(node.asText()));
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.invalid("prompt", must);
        }
        JsonNode first = node.get(0);
        List<Prompt> out = new ArrayList<>();
        if (first.isTextual()) {
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    throw ApiException.invalid("prompt", must);
                }
                out.add(Prompt.text(item.asText()));
            }
        } else if (first.isIntegralNumber()) {
            out.add(Prompt.tokens(tokenIds(node, "prompt", must)));
        } else if (first.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                if (!item.isArray() || item.isEmpty()) {
                    throw ApiException.invalid("prompt", must);
                }
                out.add(Prompt.tokens(tokenIds(item, "prompt[" + i + "]", must)));
            }
        } else {
            throw ApiException.invalid("prompt", must);
        }
        return out;
    }

    private static int[] tokenIds(JsonNode array, String field, String must) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode item = array.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                throw ApiException.invalid("prompt", must);
            }
            ids[i] = item.asInt();
            if (ids[i] < 0) {
                throw ApiException.invalid("prompt", "'" + field + "' holds a negative token id (" + ids[i] + ").");
            }
        }
        return ids;
    }
}
