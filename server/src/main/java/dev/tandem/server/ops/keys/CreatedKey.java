package dev.tandem.server.ops.keys;

/** A new key and its plaintext secret, which is shown once and never stored. */
public record CreatedKey(ApiKey key, String secret) {
    @Override
    public String toString() {
        return "CreatedKey[key=" + key + ", secret=***]";
    }
}
