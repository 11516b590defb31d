package dev.tandem.server.ops.cache;

import dev.tandem.server.core.Assert;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The {@code cache.redis:} section: how to reach the Redis that replicas share answers through. The
 * timeouts are short because the cache is only an optimisation: a Redis that does not answer must cost
 * a request little before it is served uncached.
 *
 * @param url {@code redis://[user:password@]host:port[/db]} or {@code rediss://…}; may come from the
 *     environment ({@code ${TANDEM_REDIS_URL}}); its password is masked wherever it is shown
 * @param connectTimeoutMs how long to wait for a connection
 * @param timeoutMs how long to wait for an answer
 * @param maxAnswerBytes answers larger than this (as stored) are not kept
 */
public record RedisSettings(String url, int connectTimeoutMs, int timeoutMs, int maxAnswerBytes) {

    public RedisSettings {
        Assert.isTrue(connectTimeoutMs >= 1 && timeoutMs >= 1, "cache.redis.connectTimeoutMs and timeoutMs must be >= 1");
        Assert.isTrue(maxAnswerBytes >= 1024, "cache.redis.maxAnswerBytes must be >= 1024");
    }

    /** The URL, parsed and checked (read only when {@code cache.kind} is redis). */
    public URI uri() {
        Assert.isTrue(url != null && !url.isBlank(), "cache.redis.url must be set when cache.kind is redis");
        try {
            URI uri = new URI(url);
            Assert.isTrue(("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) && uri.getHost() != null,
                    "cache.redis.url must be a redis:// or rediss:// URL with a host, was " + masked(url));
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cache.redis.url is not a URL: " + masked(url));
        }
    }

    /** {@code url} with the password of its user part (if any) replaced by {@code ****}. */
    public static String masked(String url) {
        return url == null ? null : url.replaceAll("(?<=://)([^:@/]*):[^@/]*@", "$1:****@");
    }

    @Override
    public String toString() {
        return "RedisSettings[url=" + masked(url) + ", connectTimeoutMs=" + connectTimeoutMs + ", timeoutMs=" + timeoutMs
                + ", maxAnswerBytes=" + maxAnswerBytes + "]";
    }
}
