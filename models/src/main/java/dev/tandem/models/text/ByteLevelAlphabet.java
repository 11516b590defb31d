package dev.tandem.models.text;

import java.io.ByteArrayOutputStream;

/**
 * GPT-2's byte-level alphabet (Llama 3 and other byte-level BPE tokenizers): every byte is written as
 * one printable character, the printable Latin-1 ones as themselves and the rest as U+0100 upwards in
 * byte order. Undoing it gives a piece's bytes.
 */
final class ByteLevelAlphabet {
    private static final int[] BYTE_OF_CHAR = new int[0x200];

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_OF_CHAR[printable ? b : 0x100 + extra++] = b;
        }
    }

    private ByteLevelAlphabet() {}

    /** The bytes of a byte-level piece; characters outside the alphabet are kept as UTF-8. */
    static byte[] decode(String piece) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length());
        piece.codePoints().forEach(cp -> {
            int b = cp < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[cp] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        });
        return out.toByteArray();
    }
}
