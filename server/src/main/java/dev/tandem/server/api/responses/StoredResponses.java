package dev.tandem.server.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.responses.ResponsesWire.Item;
import dev.tandem.server.api.responses.ResponsesWire.Response;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.core.StoredResponse;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Stored responses as the Responses API sees them: kept for the API key that created them, the
 * conversation a {@code previous_response_id} continues (its responses' inputs and outputs, oldest
 * first, instructions not carried over), the item an {@code item_reference} names, and the routes
 * {@code GET} and {@code DELETE /v1/responses/{id}} and {@code GET /v1/responses/{id}/input_items}.
 * Another key's response is not found, as an unknown one.
 */
public final class StoredResponses {
    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;

    private final ResponseStore store;
    private final Function<Context, Origin> origins;

    /** @param origins who is calling (the serve path's {@code origin}) */
    public StoredResponses(ResponseStore store, Function<Context, Origin> origins) {
        this.store = store;
        this.origins = origins;
    }

    /** The items of the conversation {@code previousId} ends, oldest first. */
    List<Item> conversation(String owner, String previousId) {
        List<List<Item>> newestFirst = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String id = previousId; id != null && seen.add(id); ) {
            String wanted = id;
            StoredResponse r = store.get(owner, id).orElseThrow(() -> ApiException.invalid("previous_response_id",
                    wanted.equals(previousId) ? "Previous response with id '" + wanted + "' not found."
                            : "Previous response with id '" + previousId + "' continues response '" + wanted
                                    + "', which is no longer stored."));
            List<Item> items = new ArrayList<>();
            r.input().forEach(i -> items.add(ResponseItems.stored(i.json())));
            r.output().forEach(i -> items.add(ResponseItems.stored(i.json())));
            newestFirst.add(items);
            id = tree(r.response()).path("previous_response_id").asText(null);
        }
        Collections.reverse(newestFirst);
        return newestFirst.stream().flatMap(List::stream).toList();
    }

    /** The item {@code id} of one of {@code owner}'s stored responses. */
    Optional<Item> item(String owner, String id) {
        return store.item(owner, id).map(i -> ResponseItems.stored(i.json()));
    }

    /** Keeps {@code response} for {@code owner}, with the items this request gave the model. */
    void save(String owner, Response response, List<Item> input) {
        store.put(new StoredResponse(response.id(), owner, Json.write(response), stored(input), stored(response.output())));
    }

    private static List<StoredResponse.Item> stored(List<Item> items) {
        return items.stream().map(i -> new StoredResponse.Item(i.id(), Json.write(i))).toList();
    }

    /** {@code GET /v1/responses/{id}}: the response as it was answered. */
    public void get(Context ctx) {
        if ("true".equals(ctx.queryParam("stream"))) {
            throw ApiException.invalid("stream", "'stream' is not supported here: a stored response is given whole.");
        }
        if (ctx.queryParam("starting_after") != null) {
            throw ApiException.invalid("starting_after", "'starting_after' resumes a stream, and a stored response is given whole.");
        }
        ctx.contentType("application/json").result(find(ctx).response());
    }

    /** {@code DELETE /v1/responses/{id}}. */
    public void delete(Context ctx) {
        String id = ctx.pathParam("id");
        if (!store.delete(owner(ctx), id)) {
            throw notFound(id);
        }
        ctx.contentType("application/json").result(Json.write(new ResponsesWire.Deleted(id, "response", true)));
    }

    /** {@code GET /v1/responses/{id}/input_items}: {@code after}, {@code limit} (1–100, 20), {@code order} (desc). */
    public void inputItems(Context ctx) {
        StoredResponse r = find(ctx);
        int limit = limit(ctx.queryParam("limit"));
        String order = ctx.queryParam("order") == null ? "desc" : ctx.queryParam("order");
        if (!order.equals("asc") && !order.equals("desc")) {
            throw ApiException.invalid("order", "'order' must be 'asc' or 'desc'; got '" + order + "'.");
        }
        List<Item> items = new ArrayList<>(r.input().stream().map(i -> ResponseItems.stored(i.json())).toList());
        if (order.equals("desc")) {
            Collections.reverse(items);
        }
        String after = ctx.queryParam("after");
        int from = 0;
        if (after != null) {
            from = items.stream().map(Item::id).toList().indexOf(after) + 1;
            if (from == 0) {
                throw ApiException.invalid("after", "No input item with id '" + after + "' in response '" + r.id() + "'.");
            }
        }
        List<Item> page = items.subList(from, Math.min(items.size(), from + limit));
        ctx.contentType("application/json").result(Json.write(new ResponsesWire.ItemList("list", page,
                page.isEmpty() ? null : page.get(0).id(), page.isEmpty() ? null : page.get(page.size() - 1).id(),
                from + page.size() < items.size())));
    }

    private StoredResponse find(Context ctx) {
        String id = ctx.pathParam("id");
        return store.get(owner(ctx), id).orElseThrow(() -> notFound(id));
    }

    private String owner(Context ctx) {
        return origins.apply(ctx).caller().keyId();
    }

    private static ApiException notFound(String id) {
        return new ApiException(ErrorKind.NOT_FOUND, "Response with id '" + id + "' not found.", "response_id", null, null);
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_PAGE;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_PAGE) {
                return limit;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw ApiException.invalid("limit", "'limit' must be an integer between 1 and " + MAX_PAGE + "; got '" + text + "'.");
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("a stored response is not JSON", e);
        }
    }
}
