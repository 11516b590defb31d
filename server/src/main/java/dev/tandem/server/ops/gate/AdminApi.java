package dev.tandem.server.ops.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Policy;
import dev.tandem.server.ops.keys.ApiKey;
import dev.tandem.server.ops.keys.CreatedKey;
import dev.tandem.server.ops.keys.KeySpec;
import dev.tandem.server.ops.keys.KeyStore;
import dev.tandem.server.ops.ledger.UsageLedger;
import dev.tandem.server.ops.ledger.UsageTotal;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin API, behind the master key (the {@link AuthFilter} asks for it on every method of these
 * paths): {@code POST/GET /admin/keys}, {@code DELETE /admin/keys/{id}}, {@code GET
 * /v1/usage?from=&to=} (ISO dates or instants; from inclusive, to exclusive). Bodies are read as
 * strictly as the main API's (no "5" for 5, nothing after the object, 413 beyond the size limit),
 * and a field the body should not have is refused by name.
 */
public final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyStore keys;
    private final UsageLedger ledger;
    private final JsonBodies bodies;

    /** @param bodies the edge's strict reader of request bodies */
    public AdminApi(KeyStore keys, UsageLedger ledger, JsonBodies bodies) {
        this.keys = keys;
        this.ledger = ledger;
        this.bodies = bodies;
    }

    /** Reads a request body into a record, as the dialect edges do: a 400 naming the field, 413 when too large. */
    @FunctionalInterface
    public interface JsonBodies {
        /** Every field of the body must be one of {@code type}'s. */
        <T> T parseExact(Context ctx, Class<T> type);
    }

    /** The body of POST /admin/keys (camelCase, as the admin API has always been written). */
    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record CreateKey(String name, String policy, List<String> allowedModels, Integer rpm, Integer tpm,
            Integer maxConcurrent, Double budgetUsd) {}

    public void createKey(Context ctx) {
        CreateKey body = bodies.parseExact(ctx, CreateKey.class);
        if (body.name() == null || body.name().isBlank()) {
            throw ApiException.invalid("name", "'name' is required.");
        }
        CreatedKey created;
        try {
            created = keys.create(KeySpec.builder(body.name())
                    .withPolicy(body.policy() == null ? null : Policy.parse(body.policy()))
                    .withAllowedModels(body.allowedModels())
                    .withRpm(body.rpm())
                    .withTpm(body.tpm())
                    .withMaxConcurrent(body.maxConcurrent())
                    .withBudgetUsd(body.budgetUsd())
                    .build());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(null, e.getMessage());
        }
        Map<String, Object> out = view(created.key());
        out.put("key", created.secret());
        ctx.status(201);
        json(ctx, out);
    }

    public void listKeys(Context ctx) {
        json(ctx, Map.of("object", "list", "data", keys.list().stream().map(AdminApi::view).toList()));
    }

    public void revokeKey(Context ctx) {
        String id = ctx.pathParam("id");
        if (!keys.revoke(id)) {
            throw new ApiException(dev.tandem.server.core.ErrorKind.NOT_FOUND, "No key with id '" + id + "'.");
        }
        json(ctx, view(keys.findById(id).orElseThrow()));
    }

    public void usage(Context ctx) {
        Instant from = time(ctx.queryParam("from"), "from");
        Instant to = time(ctx.queryParam("to"), "to");
        json(ctx, Map.of("object", "list", "from", String.valueOf(from), "to", String.valueOf(to),
                "data", ledger.totals(from, to).stream().map(AdminApi::view).toList()));
    }

    static Instant time(String value, String param) {
        try {
            return AdminApiTimes.parse(value, param);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, e.getMessage() + ".");
        }
    }

    private static Map<String, Object> view(UsageTotal t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("day", t.day().toString());
        m.put("keyId", t.keyId());
        m.put("model", t.model());
        m.put("backend", t.backend());
        m.put("requests", t.requests());
        m.put("promptTokens", t.promptTokens());
        m.put("completionTokens", t.completionTokens());
        m.put("costUsd", t.costUsd());
        return m;
    }

    private static Map<String, Object> view(ApiKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("name", k.name());
        m.put("policy", k.policy() == null ? null : k.policy().wireName());
        m.put("allowedModels", k.limits().allowedModels());
        m.put("rpm", k.limits().rpm());
        m.put("tpm", k.limits().tpm());
        m.put("maxConcurrent", k.limits().maxConcurrent());
        m.put("budgetUsd", k.limits().budgetUsd());
        m.put("created", k.created().toString());
        m.put("revoked", k.revoked() == null ? null : k.revoked().toString());
        return m;
    }

    private static void json(Context ctx, Object body) {
        try {
            ctx.contentType("application/json").result(JSON.writeValueAsString(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
