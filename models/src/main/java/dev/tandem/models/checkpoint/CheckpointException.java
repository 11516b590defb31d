package dev.tandem.models.checkpoint;

import dev.tandem.models.EngineException;

/**
 * A checkpoint cannot be used as it is: a missing or malformed file, an unknown architecture, a
 * tensor that is missing, has the wrong shape or dtype, or lies past the end of its file. The message
 * always names the file (and the tensor or field when there is one), so that the operator knows what
 * to fix. Not retriable.
 */
public final class CheckpointException extends EngineException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
