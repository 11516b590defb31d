package dev.tandem.models.step;

import java.util.Locale;

/** The dtype the step computes in and holds its weights and KV blocks in. */
public enum ComputeDtype {
    FLOAT32("float32", 6, 4),
    FLOAT16("float16", 5, 2),
    BFLOAT16("bfloat16", 15, 2);

    private final String label;
    private final int torchCode;
    private final int bytes;

    ComputeDtype(String label, int torchCode, int bytes) {
        this.label = label;
        this.torchCode = torchCode;
        this.bytes = bytes;
    }

    /** The name users write and logs show: float32, float16, bfloat16. */
    public String label() {
        return label;
    }

    /** PyTorch's number for the dtype ({@code c10::ScalarType}), as serialized TorchScript spells it. */
    public int torchCode() {
        return torchCode;
    }

    public int bytes() {
        return bytes;
    }

    /** float32 / fp32 / f32, float16 / fp16 / f16 / half, bfloat16 / bf16; null for "auto". */
    public static ComputeDtype parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> null;
            case "float32", "fp32", "f32" -> FLOAT32;
            case "float16", "fp16", "f16", "half" -> FLOAT16;
            case "bfloat16", "bf16" -> BFLOAT16;
            default -> throw new IllegalArgumentException("compute dtype '" + name
                    + "': expected auto, float32, float16 or bfloat16 (engine.dtype)");
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
