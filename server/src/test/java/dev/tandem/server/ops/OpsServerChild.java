package dev.tandem.server.ops;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.ops.gate.AuthConfig;
import dev.tandem.server.ops.ledger.LedgerConfig;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A server process for {@link ServerKillIT}: the ops stack around a scripted backend behind Javalin,
 * on the database given as args[0]. Prints "port N" once it listens. Answers 200 only after the
 * request's ledger row is committed (the observer runs before the terminal event goes on).
 */
public final class OpsServerChild {
    public static void main(String[] args) {
        Ops ops = Ops.open(new Ops.Sections(AuthConfig.DEFAULTS, null, new LedgerConfig(args[0], null, null),
                null, null, null, new LoggingConfig("text", "warn")), null, null);
        Backend guarded = ops.guardDispatcher(ScriptedBackend.answering("local", "tiny", "hello", 3));
        Javalin app = Javalin.create(config -> {
            ops.addRoutes(config.routes);
            config.routes.exception(ApiException.class, (e, ctx) -> ctx.status(e.kind().status()).result(e.getMessage()));
            config.routes.post("/v1/chat/completions", ctx -> answer(ctx, guarded));
        }).start("127.0.0.1", 0);
        System.out.println("port " + app.port());
        System.out.flush();
    }

    static void answer(Context ctx, Backend backend) {
        Map<String, String> headers = new HashMap<>();
        Enumeration<String> names = ctx.req().getHeaderNames();
        while (names.hasMoreElements()) {
            String n = names.nextElement();
            headers.put(n.toLowerCase(Locale.ROOT), ctx.req().getHeader(n));
        }
        InferenceRequest r = Requests.chat("tiny", "hi", headers);
        r = new InferenceRequest(ctx.header("x-request-id"), Dialect.OPENAI, r.model(), r.input(), r.maxTokens(),
                r.sampling(), r.stop(), r.topLogprobs(), r.stream(), r.tools(), r.toolChoice(), r.user(), r.headers());
        List<InferenceEvent> events = new ArrayList<>();
        backend.start(r, events::add);
        ctx.result(events.get(events.size() - 1) instanceof InferenceEvent.Finished ? "done" : "failed");
    }
}
