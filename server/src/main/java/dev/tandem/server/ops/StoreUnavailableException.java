package dev.tandem.server.ops;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import java.time.Duration;

/**
 * The shared store cannot be reached, so keys, limits and budgets cannot be checked: the request is
 * refused with 503 in the caller's dialect (fail closed), never served unchecked.
 */
public final class StoreUnavailableException extends ApiException {
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    public StoreUnavailableException(String operation, Throwable cause) {
        super(ErrorKind.UNAVAILABLE, null, "The shared store is unavailable (" + operation
                + "), so keys, limits and budgets cannot be checked; retry shortly.", null, RETRY_AFTER, cause);
    }
}
