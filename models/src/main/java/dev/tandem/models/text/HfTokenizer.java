package dev.tandem.models.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointException;
import dev.tandem.models.checkpoint.TokenizerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint's tokenizer.json through DJL's HuggingFaceTokenizer, with BOS/EOS taken from
 * tokenizer_config.json, config.json and generation_config.json. DJL is told never to add special
 * tokens itself: this class adds BOS (and EOS when configured) so that text prompts and chat
 * templates, which write BOS as text, are both handled exactly once. Thread-safe.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
    private static final Pattern BYTE_PIECE = Pattern.compile("<0x([0-9A-Fa-f]{2})>");
    /** CodeLlama's end-of-infill token: generation must stop there too. */
    static final String EOT_PIECE = "▁<EOT>";

    private final HuggingFaceTokenizer djl;
    private final PieceTable pieces;
    private final TokenizerSettings settings;
    private final int bosId;
    private final Set<Integer> eosIds;

    private HfTokenizer(HuggingFaceTokenizer djl, PieceTable pieces, TokenizerSettings settings, int bosId, Set<Integer> eosIds) {
        this.djl = djl;
        this.pieces = pieces;
        this.settings = settings;
        this.bosId = bosId;
        this.eosIds = Set.copyOf(eosIds);
    }

    /** The tokenizer of {@code checkpoint}. Throws CheckpointException naming tokenizer.json when it cannot be loaded. */
    public static HfTokenizer open(Checkpoint checkpoint) {
        Path file = checkpoint.tokenizerJson();
        PieceTable pieces = PieceTable.read(file);
        TokenizerSettings settings = checkpoint.tokenizerSettings();

        int bos = pieces.id(settings.bosToken());
        if (bos < 0 && checkpoint.config().bosTokenId() != null) {
            bos = checkpoint.config().bosTokenId();
        }
        if (bos < 0 && checkpoint.generationDefaults().bosTokenId() != null) {
            bos = checkpoint.generationDefaults().bosTokenId();
        }
        Set<Integer> eos = new LinkedHashSet<>(checkpoint.generationDefaults().eosTokenIds());
        eos.addAll(checkpoint.config().eosTokenIds());
        if (pieces.id(settings.eosToken()) >= 0) {
            eos.add(pieces.id(settings.eosToken()));
        }
        if (pieces.id(EOT_PIECE) >= 0) {
            eos.add(pieces.id(EOT_PIECE));
        }
        return new HfTokenizer(loadDjl(file), pieces, settings, bos, eos);
    }

    private static HuggingFaceTokenizer loadDjl(Path file) {
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "maxLength", String.valueOf(Integer.MAX_VALUE / 2));
        try {
            return HuggingFaceTokenizer.newInstance(file, options);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] raw = djl.encode(text, false, false).getIds();
        boolean bos = addSpecialTokens && settings.addBosToken() && bosId >= 0;
        boolean eos = addSpecialTokens && settings.addEosToken() && pieces.id(settings.eosToken()) >= 0;
        int[] ids = new int[raw.length + (bos ? 1 : 0) + (eos ? 1 : 0)];
        int n = 0;
        if (bos) {
            ids[n++] = bosId;
        }
        for (long id : raw) {
            ids[n++] = (int) id;
        }
        if (eos) {
            ids[n] = pieces.id(settings.eosToken());
        }
        return ids;
    }

    /** Text of {@code ids}, special tokens skipped; ids the tokenizer does not know are skipped too. */
    @Override
    public String decode(int[] ids) {
        long[] known = Arrays.stream(ids).filter(id -> pieces.piece(id) != null).asLongStream().toArray();
        return known.length == 0 ? "" : djl.decode(known, true);
    }

    /**
     * The piece of one token as text: "▁" shown as a space, a byte token as its character when that
     * byte is ASCII, else as {@code <0xNN>}; special tokens as written; "" for an unknown id. (For
     * byte-level tokenizers such as Llama 3's, the token decoded on its own.)
     */
    @Override
    public String tokenText(int id) {
        String piece = pieces.piece(id);
        if (piece == null) {
            return "";
        }
        if (pieces.isSpecial(id)) {
            return piece;
        }
        if (pieces.byteLevel()) {
            return djl.decode(new long[] {id}, false); // byte-level pieces need the byte-to-unicode table undone
        }
        Matcher m = BYTE_PIECE.matcher(piece);
        if (m.matches()) {
            int b = Integer.parseInt(m.group(1), 16);
            return b < 0x80 ? String.valueOf((char) b) : piece;
        }
        return piece.replace('▁', ' ');
    }

    @Override
    public byte[] tokenBytes(int id) {
        byte[] bytes = pieces.bytes(id);
        return bytes == null ? null : bytes.clone();
    }

    /** The id of a piece as written in tokenizer.json ("▁<PRE>", "<s>"), or -1. */
    public int pieceId(String piece) {
        return pieces.id(piece);
    }

    @Override
    public int maxBytesPerToken() {
        return pieces.maxBytesPerToken();
    }

    @Override
    public int vocabSize() {
        return pieces.size();
    }

    /** The BOS id, or -1 when the tokenizer has none. */
    @Override
    public int bosId() {
        return bosId;
    }

    /** EOS ids of generation_config.json and config.json, the eos_token, and CodeLlama's ▁<EOT> when present. */
    @Override
    public Set<Integer> eosIds() {
        return eosIds;
    }

    public TokenizerSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        djl.close();
    }
}
