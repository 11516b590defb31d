/**
 * The OpenAI Responses API edge: {@code POST /v1/responses} (one rule for its fields,
 * {@link dev.tandem.server.api.responses.RequestFields}; input items as the internal conversation;
 * function and freeform tools; the response object and its event stream) and the stored responses
 * ({@code previous_response_id}, {@code item_reference}, {@code GET}/{@code DELETE /v1/responses/{id}},
 * {@code input_items}) over the {@link dev.tandem.server.core.ResponseStore}. Wire records mirror the
 * JSON field for field and so have no builders.
 *
 * <p>May import: {@code api}, {@code core}.
 */
package dev.tandem.server.api.responses;
