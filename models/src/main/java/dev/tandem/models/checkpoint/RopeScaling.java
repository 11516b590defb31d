package dev.tandem.models.checkpoint;

import java.util.Objects;

/**
 * {@code rope_scaling} of config.json. Supported types: {@code linear} (positions divided by {@code
 * factor}, as in CodeLlama's long-context variants) and {@code llama3} (per-frequency scaling of Llama
 * 3.1). {@code dynamic} NTK and others are refused when config.json is read, because their inverse
 * frequencies depend on the running sequence length, which the engine does not model.
 *
 * @param lowFreqFactor llama3 only, else null
 * @param highFreqFactor llama3 only, else null
 * @param originalMaxPositionEmbeddings llama3 only, else null
 */
public record RopeScaling(
        String type, double factor, Double lowFreqFactor, Double highFreqFactor, Integer originalMaxPositionEmbeddings) {

    public static final String LINEAR = "linear";
    public static final String LLAMA3 = "llama3";

    public RopeScaling {
        Objects.requireNonNull(type, "type");
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("rope_scaling.factor must be > 0");
        }
        if (!type.equals(LINEAR) && !type.equals(LLAMA3)) {
            throw new IllegalArgumentException("rope_scaling type '" + type + "' is not supported (linear, llama3)");
        }
        if (type.equals(LLAMA3)
                && (lowFreqFactor == null || highFreqFactor == null || originalMaxPositionEmbeddings == null)) {
            throw new IllegalArgumentException(
                    "rope_scaling llama3 needs low_freq_factor, high_freq_factor and original_max_position_embeddings");
        }
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling(LINEAR, factor, null, null, null);
    }

    /**
     * Applies the scaling to the unscaled inverse frequencies {@code 1 / theta^(2i/d)}, as HF's
     * {@code _compute_linear_scaling_rope_parameters} and {@code _compute_llama3_parameters} do.
     */
    public double[] scale(double[] invFreq) {
        double[] out = invFreq.clone();
        if (type.equals(LINEAR)) {
            for (int i = 0; i < out.length; i++) {
                out[i] = invFreq[i] / factor;
            }
            return out;
        }
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        for (int i = 0; i < out.length; i++) {
            double wavelen = 2 * Math.PI / invFreq[i];
            if (wavelen > lowFreqWavelen) {
                out[i] = invFreq[i] / factor;
            } else if (wavelen >= highFreqWavelen) {
                double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                        / (highFreqFactor - lowFreqFactor);
                out[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
            }
        }
        return out;
    }
}
