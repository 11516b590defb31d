package dev.tandem.server.ops.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.GenerationEvent.TokenLogprob;
import dev.tandem.models.GenerationEvent.TopLogprob;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerCodecTest {

    @Test
    void everyKindOfEventComesBackEqual() throws Exception {
        List<InferenceEvent> answer = List.of(
                new InferenceEvent.Started("local", "tiny", 12),
                InferenceEvent.ThinkingDelta.text("let me see"),
                InferenceEvent.ThinkingDelta.signature("sig"),
                InferenceEvent.ThinkingDelta.redacted("xyz"),
                new InferenceEvent.TextDelta("héllo \"quoted\"", new TokenLogprob(7, "h", -0.25f, List.of(new TopLogprob(8, "x", -1.5f)))),
                new InferenceEvent.TextDelta(" world", null),
                new InferenceEvent.ToolCallDelta(0, "call_1", "get_weather", "{\"city\":"),
                new InferenceEvent.ToolCallDelta(0, null, null, "\"Paris\"}"),
                new InferenceEvent.Finished(StopReason.STOP_SEQUENCE, new TokenUsage(12, 5, 4), "\n"));

        byte[] json = AnswerCodec.encode(answer);

        assertThat(AnswerCodec.decode(json)).isEqualTo(answer);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"type\":\"started\"", "\"type\":\"finished\"");
    }

    @Test
    void aFailedAnswerIsNeverEncoded() {
        List<InferenceEvent> failed = List.of(new InferenceEvent.Started("local", "tiny", 1),
                new InferenceEvent.Failed(new ApiException(ErrorKind.INTERNAL, "boom")));
        assertThatThrownBy(() -> AnswerCodec.encode(failed)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesNotWrittenByTheCodecAreRefused() {
        assertThatThrownBy(() -> AnswerCodec.decode("[{\"type\":\"exploit\",\"x\":1}]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Exception.class);
        assertThatThrownBy(() -> AnswerCodec.decode("not json".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Exception.class);
    }
}
