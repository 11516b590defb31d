package dev.tandem.server.ops.cache;

import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.ToolSpec;
import dev.tandem.server.ops.TandemHeaders;
import java.util.List;

/**
 * The normalised request: everything that shapes the answer (a defaulted max_tokens may be lowered
 * where an explicit one is refused), nothing that does not (request id, dialect, stream flag,
 * end-user id). The routing policy is part of it, since with the model it
 * decides which backend answers; the key id is part of it unless caching is shared.
 */
record CacheKey(
        String model,
        Input input,
        int maxTokens,
        boolean maxTokensDefaulted,
        Sampling sampling,
        List<String> stop,
        Integer topLogprobs,
        List<ToolSpec> tools,
        String toolChoice,
        String keyPolicy,
        String requestPolicy,
        String keyId) {

    static CacheKey of(InferenceRequest r, boolean perKey) {
        return new CacheKey(r.model(), r.input(), r.maxTokens(), r.maxTokensDefaulted(), r.sampling(), r.stop(), r.topLogprobs(), r.tools(),
                r.toolChoice(), r.headers().get(TandemHeaders.KEY_POLICY), r.headers().get("x-tandem-policy"),
                perKey ? r.headers().getOrDefault(TandemHeaders.KEY_ID, TandemHeaders.ANONYMOUS) : null);
    }
}
