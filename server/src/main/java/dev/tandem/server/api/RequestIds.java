package dev.tandem.server.api;

import dev.tandem.server.core.LogContext;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Every response carries {@code x-request-id}: the client's own when it sent a sane one that holds no
 * secret, else a new one. An id is stored in the ledger, echoed and sent upstream, so one that holds a
 * secret (a key pasted in the wrong header) is replaced, not masked: a masked id would still carry part
 * of the secret and no longer be unique.
 */
public final class RequestIds {
    public static final String HEADER = "x-request-id";
    private static final String ATTRIBUTE = "tandem.requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final Logger log = LoggerFactory.getLogger(RequestIds.class);

    private RequestIds() {}

    /** A before-handler that takes any sane client id. */
    public static void assign(Context ctx) {
        assign(ctx, id -> Set.of());
    }

    /** The before-handler: {@code secretsIn} names the kinds of secret in a client's id (empty: none), which is then replaced. */
    public static Handler assigner(Function<String, Set<String>> secretsIn) {
        return ctx -> assign(ctx, secretsIn);
    }

    private static void assign(Context ctx, Function<String, Set<String>> secretsIn) {
        String given = ctx.header(HEADER);
        boolean sane = given != null && SANE.matcher(given).matches();
        Set<String> secrets = sane ? secretsIn.apply(given) : Set.of();
        String id = sane && secrets.isEmpty() ? given : generate("req_");
        if (!secrets.isEmpty()) {
            log.info("request {}: the client's x-request-id holds a secret ({}); replaced by this id", id, String.join(", ", secrets));
        }
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
        MDC.put(LogContext.REQUEST_ID, id);
    }

    /** An after-handler: the thread goes back to the pool without the id. */
    public static void release(Context ctx) {
        MDC.remove(LogContext.REQUEST_ID);
    }

    public static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id != null ? id : generate("req_");
    }

    public static String generate(String prefix) {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }
}
