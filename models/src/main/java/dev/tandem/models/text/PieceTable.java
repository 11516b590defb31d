package dev.tandem.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.models.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The pieces of a tokenizer.json, by id: DJL's tokenizer has no id-to-token lookup, and logprobs and
 * infill need one. Reads the model vocabulary (BPE's object or Unigram's list) and the added tokens.
 */
final class PieceTable {
    private final String[] pieces;
    private final BitSet special;
    private final Map<String, Integer> ids;
    private final boolean byteLevel;
    private final int maxBytesPerToken;

    private PieceTable(String[] pieces, BitSet special, Map<String, Integer> ids, boolean byteLevel, int maxBytesPerToken) {
        this.pieces = pieces;
        this.special = special;
        this.ids = ids;
        this.byteLevel = byteLevel;
        this.maxBytesPerToken = maxBytesPerToken;
    }

    static PieceTable read(Path tokenizerJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new CheckpointException(tokenizerJson + ": not a valid tokenizer.json: " + e.getMessage(), e);
        }
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ids.put(e.getKey(), e.getValue().intValue());
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).path(0).asText(), i);
            }
        } else {
            throw new CheckpointException(tokenizerJson + ": model.vocab is missing");
        }
        BitSet special = new BitSet();
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").intValue();
            ids.put(added.path("content").asText(), id);
            if (added.path("special").asBoolean(false)) {
                special.set(id);
            }
        }
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        String[] pieces = new String[size];
        ids.forEach((piece, id) -> {
            if (id >= 0) {
                pieces[id] = piece;
            }
        });
        JsonNode decoder = root.path("decoder");
        boolean byteLevel = decoder.path("type").asText().equals("ByteLevel")
                || decoder.findValuesAsText("type").contains("ByteLevel");
        return new PieceTable(pieces, special, ids, byteLevel, PromptByteBound.of(root, pieces));
    }

    /** The most prompt bytes one token stands for, or 0 when the tokenizer gives no such bound ({@link PromptByteBound}). */
    int maxBytesPerToken() {
        return maxBytesPerToken;
    }

    /** GPT-2 style byte-level pieces ("Ġthe", Llama 3) rather than SentencePiece ones ("▁the"). */
    boolean byteLevel() {
        return byteLevel;
    }

    int size() {
        return pieces.length;
    }

    /** The piece of {@code id}, or null when the tokenizer has no such id. */
    String piece(int id) {
        return id >= 0 && id < pieces.length ? pieces[id] : null;
    }

    /**
     * The output bytes of {@code id}: null for special and unknown ids; for SentencePiece pieces "▁"
     * is a space and {@code <0xNN>} the byte NN; byte-level pieces (GPT-2's alphabet) are mapped back
     * to the bytes they stand for.
     */
    byte[] bytes(int id) {
        String piece = piece(id);
        if (piece == null || isSpecial(id)) {
            return null;
        }
        if (byteLevel) {
            return ByteLevelAlphabet.decode(piece);
        }
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
            } catch (NumberFormatException notAByte) {
                // an ordinary piece that merely looks like one
            }
        }
        return piece.replace('▁', ' ').getBytes(StandardCharsets.UTF_8);
    }

    boolean isSpecial(int id) {
        return special.get(id);
    }

    /** The id of {@code piece}, or -1. */
    int id(String piece) {
        return piece == null ? -1 : ids.getOrDefault(piece, -1);
    }
}
