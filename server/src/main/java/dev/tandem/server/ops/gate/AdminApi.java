package dev.tandem.server.ops.gate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The admin API, behind the master key: {@code POST/GET /admin/keys}, {@code DELETE
 * /admin/keys/{id}}, {@code GET /v1/usage?from=&to=} (ISO dates or instants; from inclusive, to
 * exclusive).
 */
public final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final KeyStore keys;
    private final UsageLedger ledger;
    private final Authenticator auth;

    public AdminApi(KeyStore keys, UsageLedger ledger, Authenticator auth) {
        this.keys = keys;
        this.ledger = ledger;
        this.auth = auth;
    }

    /** The body of POST /admin/keys. */
    record CreateKey(String name, String policy, List<String> allowedModels, Integer rpm, Integer tpm,
            Integer maxConcurrent, Double budgetUsd) {}

    public void createKey(Context ctx) {
        requireMaster(ctx);
        CreateKey body;
        try {
            body = JSON.readValue(ctx.body(), CreateKey.class);
        } catch (Exception e) {
            throw ApiException.invalid(null, "The body must be a JSON object with name, and optionally policy,"
                    + " allowedModels, rpm, tpm, maxConcurrent, budgetUsd.");
        }
        if (body == null || body.name() == null || body.name().isBlank()) {
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
        requireMaster(ctx);
        json(ctx, Map.of("object", "list", "data", keys.list().stream().map(AdminApi::view).toList()));
    }

    public void revokeKey(Context ctx) {
        requireMaster(ctx);
        String id = ctx.pathParam("id");
        if (!keys.revoke(id)) {
            throw new ApiException(dev.tandem.server.core.ErrorKind.NOT_FOUND, "No key with id '" + id + "'.");
        }
        json(ctx, view(keys.findById(id).orElseThrow()));
    }

    public void usage(Context ctx) {
        requireMaster(ctx);
        Instant from = time(ctx.queryParam("from"), "from");
        Instant to = time(ctx.queryParam("to"), "to");
        json(ctx, Map.of("object", "list", "from", String.valueOf(from), "to", String.valueOf(to),
                "data", ledger.totals(from, to).stream().map(AdminApi::view).toList()));
    }

    private void requireMaster(Context ctx) {
        if (!auth.isMaster(Authenticator.credentials(ctx::header))) {
            throw GateException.adminOnly();
        }
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
