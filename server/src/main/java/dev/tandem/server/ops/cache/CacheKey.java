package dev.tandem.server.ops.cache;

import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Policy;

/**
 * The normalised request: everything that shapes the answer (a defaulted max_tokens may be lowered
 * where an explicit one is refused), nothing that does not (request id, dialect, stream flag,
 * end-user id). The routing policies (the key's and the request's) are part of it, since with the
 * model they decide which backend answers; the key id is part of it unless caching is shared.
 *
 * @param keyId the caller's key id, or null when answers are shared between keys
 * @param request the request with what does not shape the answer set to constants
 */
record CacheKey(String keyId, Policy keyPolicy, InferenceRequest request) {

    static CacheKey of(InferenceRequest r, boolean perKey) {
        InferenceRequest normalised = r.toBuilder()
                .withRequestId("")
                .withDialect(Dialect.OPENAI)
                .withStream(false)
                .withUser(null)
                .withCaller(Caller.ANONYMOUS)
                .build();
        return new CacheKey(perKey ? r.caller().keyId() : null, r.caller().policy(), normalised);
    }
}
