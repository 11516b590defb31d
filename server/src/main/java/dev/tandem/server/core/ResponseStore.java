package dev.tandem.server.core;

import java.util.Optional;

/**
 * Where answers kept for later live (the Responses API's {@code store}: {@code previous_response_id},
 * {@code item_reference}, {@code GET}/{@code DELETE /v1/responses/{id}}): SQLite or PostgreSQL.
 * Every response belongs to the API key that created it; another key finds nothing. The store is
 * bounded in number and age: what is over the bounds is gone (and never found, even before it is
 * pruned). It keeps documents as given and reads none of them.
 */
public interface ResponseStore extends AutoCloseable {

    /** Keeps {@code response} (committed before returning), then drops what is over the bounds. */
    void put(StoredResponse response);

    /** {@code owner}'s response {@code id}, unless it is unknown, another key's, expired or deleted. */
    Optional<StoredResponse> get(String owner, String id);

    /** An item of one of {@code owner}'s stored responses (input or output), by its id. */
    Optional<StoredResponse.Item> item(String owner, String itemId);

    /** Deletes {@code owner}'s response {@code id} and its items; false when there is none to delete. */
    boolean delete(String owner, String id);

    @Override
    void close();
}
