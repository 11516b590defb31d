package dev.tandem.models.kv;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What a full KV block holds, as vLLM's automatic prefix caching names it: a hash of the block's tokens
 * and of its parent's hash, so that equal hashes mean equal tokens from position 0 to the block's end.
 * SHA-256 cut to 128 bits: a collision between two of 2^32 blocks has a chance of about 2^-64.
 */
record BlockHash(long high, long low) {

    /** The hash of the block holding {@code tokens[from, to)} whose parent (the block before it) is {@code parent}; null for the first. */
    static BlockHash of(BlockHash parent, int[] tokens, int from, int to) {
        ByteBuffer bytes = ByteBuffer.allocate(17 + 4 * (to - from));
        // A marker byte tells the first block apart from a block whose parent hash happens to be zero
        if (parent == null) {
            bytes.put((byte) 0).putLong(0).putLong(0);
        } else {
            bytes.put((byte) 1).putLong(parent.high).putLong(parent.low);
        }
        for (int i = from; i < to; i++) {
            bytes.putInt(tokens[i]);
        }
        ByteBuffer digest = ByteBuffer.wrap(sha256().digest(bytes.array()));
        return new BlockHash(digest.getLong(0), digest.getLong(8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
