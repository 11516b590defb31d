package dev.tandem.models.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A small byte-level vocabulary for grammar tests: id 0 is EOS, ids 1..256 are the single bytes (id =
 * byte + 1), then some multi-byte pieces that cross JSON's structure ({@code "}}, {@code ":}, {@code
 * \u2581"}…), as real vocabularies' do.
 */
final class TestVocabulary {
    static final int EOS = 0;
    static final List<String> PIECES = List.of("{\"", "\":", "\",", "\"}", "\"]", " \"", "\": \"", "true", "false", "null",
            "12", "ab", "abc", "name", "\"name\":", "},{", "[{", "}]", ", ", "\\n", "\\u00", "é", "[]", "{}", "-1", ".5", "e+");
    static final Vocabulary VOCABULARY = build();

    private TestVocabulary() {}

    private static Vocabulary build() {
        List<byte[]> tokens = new ArrayList<>();
        tokens.add(null);
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
        }
        PIECES.forEach(p -> tokens.add(p.getBytes(StandardCharsets.UTF_8)));
        return Vocabulary.of(tokens.toArray(byte[][]::new), Set.of(EOS));
    }

    static int byteToken(int b) {
        return b + 1;
    }

    static int piece(String piece) {
        return 257 + PIECES.indexOf(piece);
    }

    /** Text as single-byte tokens. */
    static int[] bytes(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = byteToken(bytes[i] & 0xFF);
        }
        return ids;
    }

    static String text(List<Integer> tokens) {
        StringBuilder sb = new StringBuilder();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int t : tokens) {
            byte[] b = VOCABULARY.bytes(t);
            if (b != null) {
                out.writeBytes(b);
            }
        }
        return sb.append(out.toString(StandardCharsets.UTF_8)).toString();
    }
}
