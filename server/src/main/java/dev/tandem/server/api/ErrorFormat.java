package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;

/** How one dialect shows a failure: the status for each kind, and the error body. */
public interface ErrorFormat {

    int status(ErrorKind kind);

    /** The JSON error object (the whole response body). */
    Object body(ApiException error);

    /** The SSE frame that ends a stream which fails after it began. */
    String streamError(ApiException error);
}
