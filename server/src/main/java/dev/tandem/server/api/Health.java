package dev.tandem.server.api;

import dev.tandem.server.core.Readiness;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** {@code GET /health}: the process answers. {@code GET /ready}: the model is loaded (503 until then). */
public final class Health {
    private final Supplier<Readiness> readiness;

    public Health(Supplier<Readiness> readiness) {
        this.readiness = readiness;
    }

    public void alive(Context ctx) {
        ctx.contentType("application/json").result(Json.write(Map.of("status", "ok")));
    }

    public void ready(Context ctx) {
        Readiness r = readiness.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", r.status());
        body.put("detail", r.detail());
        ctx.status(r.ready() ? 200 : 503).contentType("application/json").result(Json.write(body));
    }
}
