package dev.tandem.server.ops.gate;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.PromptTokens;
import dev.tandem.server.ops.ForwardingBackend;
import dev.tandem.server.ops.OutcomeListener;
import dev.tandem.server.ops.Outcomes;
import dev.tandem.server.ops.RequestOutcome;
import dev.tandem.server.ops.StoreUnavailableException;
import dev.tandem.server.ops.limits.RateLimits;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The gate in front of the dispatcher: who is calling, may they use this model, are they within
 * their limits and budget. The request goes on with its caller as the key store says now (a
 * revoked key stops here), for the ledger, the cache and the router. Token counting (tokenize,
 * count_tokens) passes the same gate: the key, its model list and its request limits; it spends no
 * budget and writes no ledger row.
 *
 * <p>Refusals of a generation by a known key are reported to the outcome listeners (ledger,
 * metrics) like any other failed request; a 401 has no key to charge and only counts in metrics.
 */
public final class GateBackend extends ForwardingBackend {
    private final Authenticator auth;
    private final RateLimits limits;
    private final boolean limitsEnabled;
    private final Outcomes outcomes;
    private final Consumer<String> onRejected;
    private final Clock clock;

    /**
     * @param onRejected told the reason of each refusal past authentication: "model", "rpm", "tpm",
     *     "concurrency", "budget", "store" (the authenticator tells of its own)
     */
    public GateBackend(Backend inner, Authenticator auth, RateLimits limits, boolean limitsEnabled,
            List<OutcomeListener> listeners, Consumer<String> onRejected) {
        super(inner);
        this.auth = auth;
        this.limits = limits;
        this.limitsEnabled = limitsEnabled;
        this.outcomes = new Outcomes(listeners);
        this.onRejected = onRejected;
        this.clock = Clock.systemUTC();
    }

    /**
     * @throws dev.tandem.server.ops.StoreUnavailableException (503) when the key, limits or budget
     *     cannot be checked because the shared store is away: fail closed
     */
    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        return storeChecked(() -> gated(request, sink));
    }

    private Call gated(InferenceRequest request, Consumer<InferenceEvent> sink) {
        Caller caller = admitted(request, true);
        if (caller.anonymous() || !limitsEnabled) {
            return inner.start(as(request, caller), sink); // auth is off, or limits are
        }
        // The budget caps remote spend; local answers cost nothing, so a spent key keeps the local model.
        RateLimits.Admission.Admitted admitted = admit(request, caller, true);
        RateLimits.Permit permit = admitted.permit();
        boolean budgetSpent = admitted.budgetSpent();
        if (budgetSpent) {
            caller = caller.narrowedTo(Policy.LOCAL_ONLY);
        }
        AtomicInteger tokens = new AtomicInteger();
        Call call;
        try {
            call = inner.start(as(request, caller), event -> {
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
                throw refuse(request, caller, RateLimits.BUDGET, GateException.budgetExhausted(), true);
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

    @Override
    public PromptTokens tokenize(InferenceRequest request) {
        return storeChecked(() -> counted(request, inner::tokenize));
    }

    @Override
    public String detokenize(InferenceRequest request) {
        return storeChecked(() -> counted(request, inner::detokenize));
    }

    /** Counts a refusal because the store is away (it cannot be ledgered: the ledger is in the store). */
    private <T> T storeChecked(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (StoreUnavailableException e) {
            onRejected.accept("store");
            throw e;
        }
    }

    /** Token counting: the key, its model list and its request limits, as for a generation; no budget, no ledger row. */
    private <T> T counted(InferenceRequest request, Function<InferenceRequest, T> work) {
        Caller caller = admitted(request, false);
        if (caller.anonymous() || !limitsEnabled) {
            return work.apply(as(request, caller));
        }
        RateLimits.Permit permit = admit(request, caller, false).permit();
        try {
            return work.apply(as(request, caller));
        } finally {
            permit.release(0);
        }
    }

    /** The caller as the key store says now, if it may use the model asked for. */
    private Caller admitted(InferenceRequest request, boolean ledgered) {
        Caller caller = auth.current(request.caller());
        if (!caller.anonymous() && !caller.limits().allows(request.model())) {
            throw refuse(request, caller, "model", GateException.modelNotAllowed(request.model()), ledgered);
        }
        return caller;
    }

    /** Admitted by the limits (and, for a generation, the budget), or refused with the limit's error. */
    private RateLimits.Admission.Admitted admit(InferenceRequest request, Caller caller, boolean generation) {
        RateLimits.Admission admission = limits.admit(caller, generation);
        if (admission instanceof RateLimits.Admission.Refused r) {
            String limit = r.why().limit();
            GateException e = RateLimits.BUDGET.equals(limit) ? GateException.budgetExhausted()
                    : GateException.overLimit(limit, r.why().retryAfter());
            throw refuse(request, caller, limit, e, generation);
        }
        return (RateLimits.Admission.Admitted) admission;
    }

    private static InferenceRequest as(InferenceRequest request, Caller caller) {
        return request.toBuilder().withCaller(caller).build();
    }

    /** Counts the refusal and, for a generation, reports it as the request's outcome. */
    private GateException refuse(InferenceRequest request, Caller caller, String reason, GateException e, boolean ledgered) {
        onRejected.accept(reason);
        if (ledgered) {
            outcomes.publish(RequestOutcome.builder(clock.instant(), request.requestId())
                    .withKeyId(caller.keyId())
                    .withDialect(request.dialect().name().toLowerCase(Locale.ROOT))
                    .withModel(request.model())
                    .withStatus(RequestOutcome.Status.ERROR, e.kind())
                    .build());
        }
        return e;
    }
}
