package dev.tandem.models.checkpoint;

import java.nio.file.Path;

/** The safetensors dtypes a Llama checkpoint may use. Anything else is refused when it is read. */
public enum TensorDtype {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    TensorDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The dtype named in a safetensors header, or a CheckpointException naming file and tensor. */
    static TensorDtype parse(String name, Path file, String tensor) {
        for (TensorDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new CheckpointException(file + ": tensor '" + tensor + "' has unsupported dtype " + name
                + " (supported: F32, F16, BF16)");
    }
}
