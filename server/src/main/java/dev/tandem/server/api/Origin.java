package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Policy;
import java.util.Arrays;
import java.util.List;

/**
 * What every internal request of one HTTP request shares: the request id, who is calling (as
 * authentication established it), the routing policy the request asks for in its
 * {@value #POLICY_HEADER} header, and the Anthropic beta flags of its {@value #BETA_HEADER} header
 * (passed to an Anthropic upstream; any value is accepted).
 */
public record Origin(String requestId, Caller caller, Policy policy, List<String> betas) {
    /** A request may narrow its routing policy with this header (local-only, prefer-local, remote-only). */
    public static final String POLICY_HEADER = "x-tandem-policy";
    /** Anthropic's beta flags, comma-separated. */
    public static final String BETA_HEADER = "anthropic-beta";

    public Origin {
        betas = List.copyOf(betas);
    }

    /** An origin without beta flags. */
    public Origin(String requestId, Caller caller, Policy policy) {
        this(requestId, caller, policy, List.of());
    }

    /** The {@value #BETA_HEADER} header's flags (headers sent twice joined by commas); empty when absent. */
    public static List<String> betaHeader(List<String> values) {
        if (values == null) {
            return List.of();
        }
        return values.stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::trim).filter(v -> !v.isEmpty()).distinct().toList();
    }

    /** The {@value #POLICY_HEADER} header's value as a policy; null when absent; a 400 naming the header when unknown. */
    public static Policy policyHeader(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Policy.parse(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(POLICY_HEADER, e.getMessage());
        }
    }

    /**
     * The builder of request {@code index} of the {@code count} one HTTP request makes (choices, prompts);
     * each gets its own id when there are several.
     */
    public InferenceRequest.Builder request(int index, int count, Dialect dialect, String model, Input input) {
        return InferenceRequest.builder(count == 1 ? requestId : requestId + "-" + index, dialect, model, input)
                .withCaller(caller)
                .withPolicy(policy);
    }

    /** The one request of an HTTP request. */
    public InferenceRequest.Builder request(Dialect dialect, String model, Input input) {
        return request(0, 1, dialect, model, input);
    }
}
