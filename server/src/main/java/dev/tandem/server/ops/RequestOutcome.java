package dev.tandem.server.ops;

import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.RouteReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * How one request ended, as seen around the dispatcher: what the ledger writes and metrics count.
 * Built with {@link #builder(Instant, String)}.
 *
 * <p>Apart from the ledger's {@code UsageRecord}, which is made from it in one place ({@code
 * LedgerWriter}): this is the live outcome, typed (route and error kind as enums, durations, the served
 * model that prices go by) for every listener; a UsageRecord is the row as stored and read back, in the
 * table's words (labels, milliseconds, a cost), for rows older versions wrote too.
 *
 * @param model the model the caller asked for
 * @param servedModel the model the backend ran (prices go by it), or the asked model when none started
 * @param backend who served it, or "none" when it failed before any backend started
 * @param route why that backend served it ({@link RouteReason#CACHE} for a cache hit), or null when none started
 * @param timeToFirstToken null when no token came
 * @param error the failure's kind when status is ERROR, else null
 */
public record RequestOutcome(
        Instant time,
        String requestId,
        String keyId,
        String dialect,
        String model,
        String servedModel,
        String backend,
        RouteReason route,
        int promptTokens,
        int completionTokens,
        Duration timeToFirstToken,
        Duration total,
        Status status,
        ErrorKind error) {

    public enum Status {
        OK,
        ERROR,
        CANCELLED
    }

    /** The backend named when nothing started. */
    public static final String NO_BACKEND = "none";

    public RequestOutcome {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(status, "status");
    }

    /** A request that ended at {@code time}; nothing started, nothing counted, status OK unless set. */
    public static Builder builder(Instant time, String requestId) {
        return new Builder(time, requestId);
    }

    /** "ok", "cancelled", or the error kind in lower case. */
    public String statusLabel() {
        return switch (status) {
            case OK -> "ok";
            case CANCELLED -> "cancelled";
            case ERROR -> error == null ? "error" : error.name().toLowerCase(Locale.ROOT);
        };
    }

    /** The route's wire name, or "none" when nothing started. */
    public String routeLabel() {
        return route == null ? NO_BACKEND : route.wireName();
    }

    public boolean cached() {
        return route == RouteReason.CACHE;
    }

    public static final class Builder {
        private final Instant time;
        private final String requestId;
        private String keyId;
        private String dialect;
        private String model;
        private String servedModel;
        private String backend = NO_BACKEND;
        private RouteReason route;
        private int promptTokens;
        private int completionTokens;
        private Duration timeToFirstToken;
        private Duration total = Duration.ZERO;
        private Status status = Status.OK;
        private ErrorKind error;

        private Builder(Instant time, String requestId) {
            this.time = time;
            this.requestId = requestId;
        }

        public Builder withKeyId(String v) {
            keyId = v;
            return this;
        }

        public Builder withDialect(String v) {
            dialect = v;
            return this;
        }

        /** The model asked for; also the served one until {@link #withServedModel} says otherwise. */
        public Builder withModel(String v) {
            model = v;
            return this;
        }

        public Builder withServedModel(String v) {
            servedModel = v;
            return this;
        }

        public Builder withBackend(String v) {
            backend = v;
            return this;
        }

        public Builder withRoute(RouteReason v) {
            route = v;
            return this;
        }

        public Builder withTokens(int prompt, int completion) {
            promptTokens = prompt;
            completionTokens = completion;
            return this;
        }

        public Builder withTimeToFirstToken(Duration v) {
            timeToFirstToken = v;
            return this;
        }

        public Builder withTotal(Duration v) {
            total = v;
            return this;
        }

        /** @param error the failure's kind for ERROR, else null */
        public Builder withStatus(Status v, ErrorKind error) {
            status = v;
            this.error = error;
            return this;
        }

        public RequestOutcome build() {
            return new RequestOutcome(time, requestId, keyId, dialect, model, servedModel == null ? model : servedModel,
                    backend, route, promptTokens, completionTokens, timeToFirstToken, total, status, error);
        }
    }
}
