package dev.tandem.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class IncrementalDecoderTest {
    private final HfTokenizer tokenizer = TinyCheckpoint.TOKENIZER;

    @Test
    void streamingRealTextReleasesWholeCharactersAndEqualsTheFullDecode() {
        // Given text that needs byte fallback for every non-ASCII character
        int[] ids = tokenizer.encode("Hello, 世界! 😀 café\n\tcode() { return 1; }", false);
        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);

        // When it is decoded one token at a time
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            String delta = decoder.push(id);
            // Then no delta carries half a character
            assertThat(delta).doesNotContain("\uFFFD");
            assertThat(delta.isEmpty() || !Character.isHighSurrogate(delta.charAt(delta.length() - 1))).isTrue();
            streamed.append(delta);
        }
        streamed.append(decoder.flush());

        // and together the deltas are the full decode
        assertThat(streamed.toString()).isEqualTo(tokenizer.decode(ids));
    }

    @RepeatedTest(20)
    void randomStreamsOfPiecesSpecialsAndByteCharactersEqualTheFullDecode(RepetitionInfo repetition) {
        Random random = new Random(repetition.getCurrentRepetition());
        List<Integer> ids = new ArrayList<>();
        while (ids.size() < 200) {
            int kind = random.nextInt(10);
            if (kind == 0) {
                ids.add(1 + random.nextInt(2)); // <s> or </s> in the middle
            } else if (kind < 3) {
                // a whole non-ASCII character as byte tokens, like a model emits them
                int[] codePoints = {0xE9, 0x4E2D, 0x1F600, 0x3B1, 0xFC};
                String c = new String(Character.toChars(codePoints[random.nextInt(codePoints.length)]));
                for (byte b : c.getBytes(StandardCharsets.UTF_8)) {
                    ids.add(3 + (b & 0xff));
                }
            } else if (kind == 3) {
                ids.add(3 + 0x20 + random.nextInt(0x5f)); // an ASCII byte token
            } else {
                ids.add(263 + random.nextInt(512 - 263)); // an ordinary piece, "▁" included
            }
        }
        int[] all = ids.stream().mapToInt(Integer::intValue).toArray();

        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
        StringBuilder streamed = new StringBuilder();
        for (int id : all) {
            streamed.append(decoder.push(id));
        }
        streamed.append(decoder.flush());

        assertThat(streamed.toString()).isEqualTo(tokenizer.decode(all));
    }

    @Test
    void withPromptContextTheFirstTokenKeepsItsLeadingSpace() {
        int[] prompt = tokenizer.encode("The answer is", true);
        int[] completion = tokenizer.encode("the same", false); // starts with "▁the"
        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer, prompt);
        StringBuilder streamed = new StringBuilder();
        for (int id : completion) {
            streamed.append(decoder.push(id));
        }
        assertThat(streamed.toString()).isEqualTo(" the same");
    }

    @Test
    void anUnfinishableByteSequenceIsReleasedInsteadOfHeldForever() {
        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
        StringBuilder streamed = new StringBuilder(decoder.push(3 + 0xE4)); // first byte of a 3-byte character
        assertThat(streamed.toString()).isEmpty();
        for (int id : tokenizer.encode("abc", false)) {
            streamed.append(decoder.push(id));
        }
        streamed.append(decoder.flush());
        assertThat(streamed.toString()).contains("\uFFFD").endsWith("abc");
    }

    @Test
    void flushReleasesAnIncompleteTail() {
        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
        StringBuilder streamed = new StringBuilder();
        for (int id : tokenizer.encode("ok", false)) {
            streamed.append(decoder.push(id));
        }
        streamed.append(decoder.push(3 + 0xF0)); // start of a 4-byte emoji that never completes
        assertThat(streamed.toString()).isEqualTo("ok");
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
    }
}
