package dev.tandem.server.ops.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Key secrets: 32 random bytes, so an unsalted SHA-256 is enough (nothing to brute-force) and the
 * hash is a direct index lookup.
 */
public final class Secrets {
    public static final String PREFIX = "tdm-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    public static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String newId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "key_" + HexFormat.of().formatHex(b);
    }

    public static String hash(String secret) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(d.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares without leaking the position of the first difference through timing. */
    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
