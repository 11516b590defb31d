package dev.tandem.server.ops.gate;

import dev.tandem.server.core.Backend;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.ops.ForwardingBackend;
import dev.tandem.server.ops.OutcomeListener;
import dev.tandem.server.ops.Outcomes;
import dev.tandem.server.ops.RequestOutcome;
import dev.tandem.server.ops.TandemHeaders;
import dev.tandem.server.ops.keys.ApiKey;
import dev.tandem.server.ops.ledger.UsageLedger;
import dev.tandem.server.ops.limits.RateLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.Policy;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The gate in front of the dispatcher: who is calling, may they use this model, are they within
 * their limits and budget. It strips any credentials, and stamps the key's id and routing policy
 * (replacing whatever was there) for the ledger, the cache and the router.
 *
 * <p>Refusals of a known key are reported to the outcome listeners (ledger, metrics) like any other
 * failed request; a 401 has no key to charge and only counts in metrics.
 */
public final class GateBackend extends ForwardingBackend {
    private final Authenticator auth;
    private final RateLimits limits;
    private final UsageLedger ledger;
    private final boolean limitsEnabled;
    private final Outcomes outcomes;
    private final Consumer<String> onRejected;
    private final Clock clock;

    /**
     * @param onRejected told the reason of each refusal: "auth", "model", "rpm", "tpm", "concurrency", "budget"
     */
    public GateBackend(Backend inner, Authenticator auth, RateLimits limits, UsageLedger ledger, boolean limitsEnabled,
            List<OutcomeListener> listeners, Consumer<String> onRejected) {
        super(inner);
        this.auth = auth;
        this.limits = limits;
        this.ledger = ledger;
        this.limitsEnabled = limitsEnabled;
        this.outcomes = new Outcomes(listeners);
        this.onRejected = onRejected;
        this.clock = Clock.systemUTC();
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        Optional<ApiKey> key;
        try {
            key = caller(request.headers());
        } catch (GateException e) {
            onRejected.accept("auth");
            throw e;
        }
        InferenceRequest stamped = stamp(request, key);
        if (key.isEmpty()) {
            return inner.start(stamped, sink);
        }
        ApiKey k = key.get();
        if (!k.allows(request.model())) {
            throw refuse(stamped, "model", GateException.modelNotAllowed(request.model()));
        }
        if (!limitsEnabled) {
            return inner.start(stamped, sink);
        }
        // The budget caps remote spend; local answers cost nothing, so a spent key keeps the local model.
        boolean budgetSpent = k.budgetUsd() != null && ledger.spentUsd(k.id()) >= k.budgetUsd();
        if (budgetSpent) {
            if (k.policy() != null && !Policy.parse(k.policy()).allowsLocal()) {
                throw refuse(stamped, "budget", GateException.budgetExhausted());
            }
            stamped = withKeyPolicy(stamped, Policy.LOCAL_ONLY);
        }
        RateLimits.Admission admission = limits.admit(k);
        if (admission instanceof RateLimits.Admission.Refused r) {
            throw refuse(stamped, r.why().limit(), GateException.overLimit(r.why().limit(), r.why().retryAfter()));
        }
        RateLimits.Permit permit = ((RateLimits.Admission.Admitted) admission).permit();
        AtomicInteger tokens = new AtomicInteger();
        Call call;
        try {
            call = inner.start(stamped, event -> {
                if (event instanceof InferenceEvent.Started s) {
                    tokens.set(s.inputTokens());
                } else if (event instanceof InferenceEvent.TextDelta) {
                    tokens.incrementAndGet();
                } else if (event instanceof InferenceEvent.Finished f) {
                    permit.release(f.usage().inputTokens() + f.usage().outputTokens());
                } else if (event instanceof InferenceEvent.Failed) {
                    permit.release(tokens.get());
                }
                sink.accept(event);
            });
        } catch (ApiException e) {
            permit.release(0);
            if (budgetSpent && e.kind() == ErrorKind.PERMISSION) {
                // only a remote could serve it, and the budget for remotes is spent
                throw refuse(stamped, "budget", GateException.budgetExhausted());
            }
            throw e;
        } catch (RuntimeException e) {
            permit.release(0);
            throw e;
        }
        return () -> {
            call.cancel();
            permit.release(tokens.get());
        };
    }

    /**
     * Who calls: credentials in the headers when there are any (an embedder without the HTTP edge);
     * else the key the auth filter derived (the edge never passes credentials, nor a client-sent
     * {@code x-tandem-key-*}).
     */
    private Optional<ApiKey> caller(Map<String, String> headers) {
        if (!auth.enabled()) {
            return Optional.empty();
        }
        if (Authenticator.presentedKey(headers).isPresent()) {
            return auth.authenticate(headers);
        }
        String derived = headers.get(TandemHeaders.KEY_ID);
        if (derived != null && !derived.equals(TandemHeaders.ANONYMOUS)) {
            return Optional.of(auth.byDerivedId(derived));
        }
        return auth.authenticate(headers);
    }

    private GateException refuse(InferenceRequest stamped, String reason, GateException e) {
        onRejected.accept(reason);
        outcomes.publish(RequestOutcome.builder(clock.instant(), stamped.requestId())
                .withKeyId(stamped.headers().get(TandemHeaders.KEY_ID))
                .withDialect(stamped.dialect().name().toLowerCase(Locale.ROOT))
                .withModel(stamped.model())
                .withStatus(RequestOutcome.Status.ERROR, e.kind())
                .build());
        return e;
    }

    /** {@code r} with the key's routing policy replaced by {@code policy} (a narrowing: see the caller). */
    private static InferenceRequest withKeyPolicy(InferenceRequest r, Policy policy) {
        Map<String, String> h = new HashMap<>(r.headers());
        h.put(TandemHeaders.KEY_POLICY, policy.wireName());
        return r.withHeaders(h);
    }

    /** The request as the rest of the server sees it: no credentials, the gate's own headers. */
    static InferenceRequest stamp(InferenceRequest r, Optional<ApiKey> key) {
        Map<String, String> h = new HashMap<>(r.headers());
        h.remove("authorization");
        h.remove("x-api-key");
        h.remove(TandemHeaders.KEY_ID);
        h.remove(TandemHeaders.KEY_POLICY);
        h.put(TandemHeaders.KEY_ID, key.map(ApiKey::id).orElse(TandemHeaders.ANONYMOUS));
        key.map(ApiKey::policy).ifPresent(p -> h.put(TandemHeaders.KEY_POLICY, p));
        return r.withHeaders(h);
    }
}
