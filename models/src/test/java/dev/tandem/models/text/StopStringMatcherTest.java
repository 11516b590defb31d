package dev.tandem.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    @Test
    void aStopStringSplitAcrossDeltasIsFoundAndNeverReleased() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("STOP"));
        assertThat(matcher.push("Hel")).isEqualTo(new StopStringMatcher.Result("Hel", null));
        assertThat(matcher.push("lo ST")).isEqualTo(new StopStringMatcher.Result("lo ", null));
        assertThat(matcher.push("O")).isEqualTo(new StopStringMatcher.Result("", null));
        assertThat(matcher.push("P and more")).isEqualTo(new StopStringMatcher.Result("", "STOP"));
        assertThat(matcher.stopped()).isTrue();
        assertThat(matcher.push("later")).isEqualTo(new StopStringMatcher.Result("", null));
        assertThat(matcher.flush()).isEmpty();
    }

    @Test
    void theTextBeforeTheStopComesWithTheMatch() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("\n\n"));
        assertThat(matcher.push("line one\n")).isEqualTo(new StopStringMatcher.Result("line one", null));
        assertThat(matcher.push("x\n\ny")).isEqualTo(new StopStringMatcher.Result("\nx", "\n\n"));
    }

    @Test
    void aFalseStartIsReleasedOnceItCannotMatch() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("STOP"));
        assertThat(matcher.push("ST").text()).isEmpty();
        assertThat(matcher.push("ART").text()).isEqualTo("START");
    }

    @Test
    void heldTextIsReleasedByFlush() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("</answer>"));
        assertThat(matcher.push("done </ans").text()).isEqualTo("done ");
        assertThat(matcher.flush()).isEqualTo("</ans");
    }

    @Test
    void theEarliestOfSeveralStopsWins() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("world", "lo w"));
        assertThat(matcher.push("hello world")).isEqualTo(new StopStringMatcher.Result("hel", "lo w"));
    }

    @Test
    void withoutStopsEverythingIsReleasedAtOnce() {
        StopStringMatcher matcher = new StopStringMatcher(List.of());
        assertThat(matcher.push("abc")).isEqualTo(new StopStringMatcher.Result("abc", null));
    }

    @RepeatedTest(50)
    void releasedTextIsAlwaysTheTextUpToTheFirstStop(RepetitionInfo repetition) {
        // Given random text over a small alphabet and random stop strings, cut into random deltas
        Random random = new Random(repetition.getCurrentRepetition());
        String text = randomString(random, 60);
        List<String> stops = List.of(randomString(random, 1 + random.nextInt(3)), randomString(random, 1 + random.nextInt(4)));
        StopStringMatcher matcher = new StopStringMatcher(stops);

        StringBuilder released = new StringBuilder();
        String matched = null;
        for (int i = 0; i < text.length() && matched == null; ) {
            int n = Math.min(text.length() - i, 1 + random.nextInt(5));
            StopStringMatcher.Result r = matcher.push(text.substring(i, i + n));
            released.append(r.text());
            matched = r.stop();
            i += n;
        }
        released.append(matcher.flush());

        // Then what came out is exactly the text before the earliest stop occurrence
        int cut = text.length();
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        assertThat(released.toString()).isEqualTo(text.substring(0, cut));
        assertThat(matched != null).isEqualTo(cut < text.length());
    }

    private static String randomString(Random random, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append("abc".charAt(random.nextInt(3)));
        }
        return s.toString();
    }
}
