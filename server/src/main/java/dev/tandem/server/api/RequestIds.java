package dev.tandem.server.api;

import dev.tandem.server.core.LogContext;
import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/** Every response carries {@code x-request-id}: the client's own when it sent a sane one, else a new one. */
public final class RequestIds {
    public static final String HEADER = "x-request-id";
    private static final String ATTRIBUTE = "tandem.requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds() {}

    /** A before-handler. */
    public static void assign(Context ctx) {
        String given = ctx.header(HEADER);
        String id = given != null && SANE.matcher(given).matches() ? given : generate("req_");
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
