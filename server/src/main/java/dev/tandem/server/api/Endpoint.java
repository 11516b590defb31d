package dev.tandem.server.api;

import dev.tandem.server.core.InferenceRequest;
import java.util.List;

/**
 * A generation endpoint of one dialect: how it reads its request, and how it answers, streamed or
 * whole. Everything else (reading the body, the model check, starting the calls, the stream's pacing
 * and keep-alives, errors, response headers) is the {@link ServePath}'s, the same for every endpoint.
 *
 * @param <W> the request's wire record
 */
public interface Endpoint<W> {

    Class<W> wireType();

    /** The dialect's error shapes, for a stream that fails after it began. */
    ErrorFormat errors();

    /** Checks the request (a 400 naming the field) and turns it into an exchange. */
    Exchange prepare(W wire, Origin origin);

    /** One HTTP request's internal requests (one per choice, at least one) and how its answer is written. */
    interface Exchange {
        List<InferenceRequest> requests();

        /** The model asked for, which must exist. */
        default String model() {
            return requests().get(0).model();
        }

        default boolean stream() {
            return requests().get(0).stream();
        }

        /** The frames of the stream, when the caller asked for one. */
        Streaming.Format streamFormat();

        /** The whole answer's body, when the caller did not. */
        Object body(List<Completed> done);
    }
}
