package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads request bodies up to a configured size; beyond it, 413. */
public final class Bodies {
    private final long maxBytes;

    public Bodies(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public byte[] read(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge();
        }
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge();
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw ApiException.invalid(null, "The request body could not be read: " + e.getMessage());
        }
    }

    public <T> T parse(Context ctx, Class<T> type) {
        return Json.parse(read(ctx), type);
    }

    /** As {@link #parse}, and a field {@code type} does not have is a 400 that names it ({@link Json#parseExact}). */
    public <T> T parseExact(Context ctx, Class<T> type) {
        return Json.parseExact(read(ctx), type);
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorKind.REQUEST_TOO_LARGE,
                "The request body is larger than this server accepts (" + maxBytes + " bytes).", null, null, null);
    }
}
