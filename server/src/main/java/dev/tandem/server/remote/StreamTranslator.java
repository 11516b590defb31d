package dev.tandem.server.remote;

/**
 * Reads one upstream stream, event by event, and emits internal events (Started, deltas, Finished)
 * to the consumer it was built with. Throws {@link UpstreamFailure} on an error event or a reply
 * it cannot read.
 */
interface StreamTranslator {

    void onEvent(SseReader.Event event);

    /** The body ended; throws when it ended before the upstream said it was done. */
    void onEnd();
}
