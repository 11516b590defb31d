package dev.tandem.server.core;

import java.util.List;
import java.util.Objects;

/**
 * A response as the {@link ResponseStore} keeps it: opaque JSON documents the edge wrote (the store
 * reads none of them), and the key they belong to.
 *
 * @param owner the id of the API key that created it
 * @param response the response object, as the client was given it
 * @param input the items given to the model for this response (not those of earlier responses)
 * @param output the items of its answer, also inside {@code response}; kept apart to be found by id
 */
public record StoredResponse(String id, String owner, String response, List<Item> input, List<Item> output) {

    public StoredResponse {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(response, "response");
        input = List.copyOf(input);
        output = List.copyOf(output);
    }

    /** One item: its id and its JSON. */
    public record Item(String id, String json) {
        public Item {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(json, "json");
        }
    }
}
