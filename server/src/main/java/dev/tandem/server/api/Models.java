package dev.tandem.server.api;

import dev.tandem.server.core.ModelCard;
import dev.tandem.server.core.ModelCatalog;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models} and {@code /v1/models/{id}}, in OpenAI's shape, or Anthropic's when the
 * request carries an {@code anthropic-version} header (as Anthropic's SDKs do).
 */
public final class Models {
    private final ModelCatalog catalog;

    public Models(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    public void list(Context ctx) {
        List<Object> data = catalog.models().stream().map(m -> describe(ctx, m)).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        if (anthropic(ctx)) {
            body.put("data", data);
            body.put("has_more", false);
            body.put("first_id", data.isEmpty() ? null : catalog.models().get(0).id());
            body.put("last_id", data.isEmpty() ? null : catalog.models().get(data.size() - 1).id());
        } else {
            body.put("object", "list");
            body.put("data", data);
        }
        ctx.contentType("application/json").result(Json.write(body));
    }

    public void get(Context ctx) {
        ctx.contentType("application/json").result(Json.write(describe(ctx, catalog.require(ctx.pathParam("id")))));
    }

    private static Object describe(Context ctx, ModelCard m) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (anthropic(ctx)) {
            out.put("type", "model");
            out.put("id", m.id());
            out.put("display_name", m.id());
            out.put("created_at", Instant.ofEpochSecond(m.createdEpochSeconds()).toString());
        } else {
            out.put("id", m.id());
            out.put("object", "model");
            out.put("created", m.createdEpochSeconds());
            out.put("owned_by", m.ownedBy());
            if (m.contextLength() != null) {
                out.put("max_model_len", m.contextLength());
            }
        }
        return out;
    }

    private static boolean anthropic(Context ctx) {
        return ctx.header("anthropic-version") != null;
    }
}
