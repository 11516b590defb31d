package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error responses, for what it refuses before any route sees it (a percent-encoding that
 * is not UTF-8, an encoded NUL in the path, a header section too large, ...), written as the JSON error
 * of the caller's dialect ({@link ErrorFormat}) instead of Jetty's HTML page, whatever the method and
 * whatever the client accepts. Installed on the server and on the servlet context.
 */
public final class JettyErrors extends ErrorHandler {

    public JettyErrors() {
        setShowStacks(false);
        setShowCauses(false);
    }

    /** Every method gets a body (Jetty's default writes none for PUT or DELETE): JSON, as every other error. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        ApiException error = new ApiException(ErrorResponses.kindOf(code), describe(code, message));
        byte[] body = Json.write(ErrorFormat.of(dialect(request)).body(error)).getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(RequestIds.HEADER, RequestIds.generate("req_")); // no route ran to assign one
        if (code == 400) {
            // Jetty drops the connection of a request it could not read; said, so that a pooling client
            // does not send its next request into the closed socket
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * By the path, as for every other error; a request Jetty could not read has no path of its own
     * (Jetty names it /badMessage or /badURI), and then an {@code anthropic-version} header says
     * Anthropic, as its SDKs send one.
     */
    private static Dialect dialect(Request request) {
        String path = request.getHttpURI().getPath();
        String anthropicVersion = request.getHeaders().get("anthropic-version");
        if (path == null || path.equals("/badMessage") || path.equals("/badURI")) {
            return anthropicVersion != null ? Dialect.ANTHROPIC : Dialect.OPENAI;
        }
        return ErrorResponses.dialectOf(path, anthropicVersion);
    }

    private static String describe(int code, String reason) {
        String what = reason == null || reason.isBlank() ? "status " + code : reason;
        return code == 400
                ? "The request could not be read: " + what + " (check its path: percent-encodings must be UTF-8, and an encoded"
                        + " NUL or control character is not allowed)."
                : "The request was refused before it reached an endpoint: " + what + ".";
    }
}
