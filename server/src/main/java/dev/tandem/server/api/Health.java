package dev.tandem.server.api;

import dev.tandem.server.core.Readiness;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /health}: the process answers. {@code GET /ready}: the model is loaded and the store of
 * keys, limits and the ledger answers (503 until both; a load balancer takes a replica that lost the
 * shared store out of rotation, since it could only refuse).
 */
public final class Health {
    private final Supplier<Readiness> model;
    private final Supplier<Readiness> store;

    public Health(Supplier<Readiness> model, Supplier<Readiness> store) {
        this.model = model;
        this.store = store;
    }

    public void alive(Context ctx) {
        ctx.contentType("application/json").result(Json.write(Map.of("status", "ok")));
    }

    public void ready(Context ctx) {
        Readiness r = model.get();
        Readiness s = store.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", r.status());
        body.put("detail", r.detail());
        body.put("store", Map.of("status", s.status(), "detail", s.detail()));
        ctx.status(r.ready() && s.ready() ? 200 : 503).contentType("application/json").result(Json.write(body));
    }
}
