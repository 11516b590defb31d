package dev.tandem.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.ErrorCode;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.ops.gate.GateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each error kind's status and type, per dialect: the one mapping table, checked row by row. */
class ErrorFormatsTest {

    @ParameterizedTest
    @CsvSource({
        "INVALID_REQUEST,   400, invalid_request_error, 400, invalid_request_error",
        "AUTHENTICATION,    401, authentication_error,  401, authentication_error",
        "PERMISSION,        403, permission_error,      403, permission_error",
        "NOT_FOUND,         404, invalid_request_error, 404, not_found_error",
        "REQUEST_TOO_LARGE, 413, invalid_request_error, 413, request_too_large",
        "RATE_LIMITED,      429, rate_limit_error,      429, rate_limit_error",
        "OVERLOADED,        429, rate_limit_error,      529, overloaded_error",
        "UPSTREAM,          502, server_error,          502, api_error",
        "TIMEOUT,           504, server_error,          504, timeout_error",
        "INTERNAL,          500, server_error,          500, api_error",
    })
    void eachKindMapsToItsStatusAndType(ErrorKind kind, int openAiStatus, String openAiType, int anthropicStatus, String anthropicType) {
        ApiException error = new ApiException(kind, "what to fix", "max_tokens", null, null);

        JsonNode openAi = Json.MAPPER.valueToTree(ErrorFormat.OPENAI.body(error));
        JsonNode anthropic = Json.MAPPER.valueToTree(ErrorFormat.ANTHROPIC.body(error));

        assertThat(ErrorFormat.OPENAI.status(kind)).isEqualTo(openAiStatus);
        assertThat(openAi.at("/error/type").asText()).isEqualTo(openAiType);
        assertThat(openAi.at("/error/message").asText()).isEqualTo("what to fix");
        assertThat(openAi.at("/error/param").asText()).isEqualTo("max_tokens");
        assertThat(openAi.at("/error").has("code")).isTrue();

        assertThat(ErrorFormat.ANTHROPIC.status(kind)).isEqualTo(anthropicStatus);
        assertThat(anthropic.at("/type").asText()).isEqualTo("error");
        assertThat(anthropic.at("/error/type").asText()).isEqualTo(anthropicType);
        assertThat(anthropic.at("/error/message").asText()).isEqualTo("what to fix");
    }

    @ParameterizedTest
    @CsvSource({"OVERLOADED", "INVALID_REQUEST"})
    void streamErrorsAreFramedInEachDialect(ErrorKind kind) {
        ApiException error = new ApiException(kind, "gone wrong");

        assertThat(ErrorFormat.OPENAI.streamError(error)).startsWith("data: {\"error\":").endsWith("\n\n");
        assertThat(ErrorFormat.ANTHROPIC.streamError(error)).startsWith("event: error\ndata: {\"type\":\"error\"").endsWith("\n\n");
    }

    @Test
    void aPromptTooLongForTheWindowSaysSoInOpenAisCode() {
        ApiException error = new ApiException(ErrorKind.INVALID_REQUEST, ErrorCode.CONTEXT_WINDOW, "too long", "messages", null, null);

        JsonNode openAi = Json.MAPPER.valueToTree(ErrorFormat.OPENAI.body(error));

        assertThat(ErrorFormat.OPENAI.status(error.kind())).isEqualTo(400);
        assertThat(openAi.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(openAi.at("/error/code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void theGatesRefusalsKeepOpenAisTypeAndCodeAndComeInTheCallersDialect() {
        GateException e = GateException.invalidKey();
        assertThat(Json.write(ErrorFormat.OPENAI.body(e))).isEqualTo(
                "{\"error\":{\"message\":\"Invalid API key.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
        assertThat(Json.write(ErrorFormat.ANTHROPIC.body(e))).isEqualTo(
                "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"Invalid API key.\"}}");
        assertThat(ErrorResponses.dialectOf("/v1/messages/count_tokens", null)).isEqualTo(Dialect.ANTHROPIC);
        assertThat(ErrorResponses.dialectOf("/v1/chat/completions", null)).isEqualTo(Dialect.OPENAI);
        assertThat(ErrorResponses.dialectOf("/v1/models", "2023-06-01")).isEqualTo(Dialect.ANTHROPIC);
    }
}
