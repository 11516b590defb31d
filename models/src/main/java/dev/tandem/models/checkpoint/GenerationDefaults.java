package dev.tandem.models.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The optional {@code generation_config.json}: the special ids and sampling defaults the model was
 * published with. Every field is null (or empty) when absent.
 */
public record GenerationDefaults(
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Integer padTokenId,
        Boolean doSample,
        Double temperature,
        Double topP,
        Integer topK,
        Double repetitionPenalty,
        Integer maxNewTokens) {

    public static final GenerationDefaults NONE =
            new GenerationDefaults(null, List.of(), null, null, null, null, null, null, null);

    public GenerationDefaults {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    static GenerationDefaults fromJson(JsonNode n) {
        return new GenerationDefaults(
                optInt(n, "bos_token_id"),
                LlamaConfig.intList(n.get("eos_token_id"), "eos_token_id"),
                optInt(n, "pad_token_id"),
                n.hasNonNull("do_sample") ? n.get("do_sample").asBoolean() : null,
                optDouble(n, "temperature"),
                optDouble(n, "top_p"),
                optInt(n, "top_k"),
                optDouble(n, "repetition_penalty"),
                optInt(n, "max_new_tokens"));
    }

    private static Integer optInt(JsonNode n, String field) {
        return n.hasNonNull(field) && n.get(field).isIntegralNumber() ? n.get(field).intValue() : null;
    }

    private static Double optDouble(JsonNode n, String field) {
        return n.hasNonNull(field) && n.get(field).isNumber() ? n.get(field).doubleValue() : null;
    }
}
