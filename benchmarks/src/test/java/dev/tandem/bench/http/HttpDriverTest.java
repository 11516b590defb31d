package dev.tandem.bench.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.bench.http.RequestSpec.Dialect;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HttpDriverTest {
    static StubDialectServer server;
    static HttpDriver driver;

    @BeforeAll
    static void start() throws Exception {
        server = new StubDialectServer();
        driver = new HttpDriver(server.uri(), "sk-test", Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aCompleteStreamCountsItsTokensAndTimesTheFirst(Dialect dialect) {
        Outcome o = driver.call(new RequestSpec(dialect, "m", true, 3, "hi"));
        assertThat(o.ok()).as(o.toString()).isTrue();
        assertThat(o.outputTokens()).isEqualTo(3);
        assertThat(o.tokenEvents()).isEqualTo(3);
        assertThat(o.firstByteNanos()).isPositive().isLessThanOrEqualTo(o.firstTokenNanos());
        assertThat(o.firstTokenNanos()).isLessThanOrEqualTo(o.totalNanos());
        assertThat(o.perTokenNanos()).isNotNegative();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aJsonAnswerTakesItsTokenCountFromUsage(Dialect dialect) {
        Outcome o = driver.call(new RequestSpec(dialect, "m", false, 3, "hi"));
        assertThat(o.ok()).isTrue();
        assertThat(o.outputTokens()).isEqualTo(3);
        assertThat(o.firstTokenNanos()).isEqualTo(o.totalNanos());
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anErrorEventAfterA200IsAStreamErrorNotASuccess(Dialect dialect) {
        Outcome o = driver.call(new RequestSpec(dialect, "broken", true, 3, "hi"));
        assertThat(o.ok()).isFalse();
        assertThat(o.kind()).isEqualTo("200+stream-error");
        assertThat(o.streamError()).isEqualTo("error event");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aStreamWithoutItsFinalEventIsTruncated(Dialect dialect) {
        Outcome o = driver.call(new RequestSpec(dialect, "cut", true, 3, "hi"));
        assertThat(o.ok()).isFalse();
        assertThat(o.streamError()).isEqualTo("truncated");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aRefusalIsCountedByItsStatus(Dialect dialect) {
        Outcome o = driver.call(new RequestSpec(dialect, "busy", true, 3, "hi"));
        assertThat(o.ok()).isFalse();
        assertThat(o.kind()).isEqualTo("429");
    }
}
