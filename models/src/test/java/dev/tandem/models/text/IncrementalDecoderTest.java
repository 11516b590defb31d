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
    /** The byte-fallback token of one byte, as the tiny tokenizer numbers them. */
    private static int byteToken(int b) {
        return 3 + b;
    }

    private static int[] concat(int[] a, int... b) {
        int[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private String streamed(int[] context, int... generated) {
        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer, context);
        StringBuilder streamed = new StringBuilder();
        for (int id : generated) {
            String delta = decoder.push(id);
            assertThat(delta).doesNotContain("\uFFFD");
            streamed.append(delta);
        }
        return streamed.append(decoder.flush()).toString();
    }

    @Test
    void aCharacterThePromptStartsAndTheGenerationFinishesIsReleasedWhole() {
        // Given a prompt whose last token is the first byte of "€" (E2 82 AC)
        int[] prompt = concat(tokenizer.encode("The price is", true), byteToken(0xE2));

        // When the generation continues that character, then writes more
        String text = streamed(prompt, byteToken(0x82), byteToken(0xAC), byteToken('5'));

        // Then the character is in the output, whole, before what follows
        assertThat(text).isEqualTo("€5");
        assertThat(tokenizer.decode(prompt).replace("\uFFFD", "") + text).isEqualTo(
                tokenizer.decode(concat(prompt, byteToken(0x82), byteToken(0xAC), byteToken('5'))));
    }

    @Test
    void aCharacterWhoseFirstTwoBytesAreInThePromptIsReleasedWholeByItsLastByte() {
        int[] prompt = concat(tokenizer.encode("Cost:", true), byteToken(0xE2), byteToken(0x82));
        assertThat(streamed(prompt, byteToken(0xAC))).isEqualTo("€");
    }

    @Test
    void onlyThePromptsUnfinishedCharacterIsReleasedNotTheWholeCharacterBeforeIt() {
        // Given a prompt that ends with "é" in byte tokens, then the first byte of "€"
        int[] prompt = concat(tokenizer.encode("Caf", true), byteToken(0xC3), byteToken(0xA9), byteToken(0xE2));
        assertThat(streamed(prompt, byteToken(0x82), byteToken(0xAC))).isEqualTo("€");
    }

    @Test
    void aPromptsUnfinishedCharacterThatTheGenerationDoesNotFinishAddsNothing() {
        int[] prompt = concat(tokenizer.encode("Cost:", true), byteToken(0xE2));
        int[] ok = tokenizer.encode("ok", false);
        // the generation writes other text: only that text is the output
        assertThat(streamed(prompt, ok)).isEqualTo(tokenizer.decode(concat(new int[] {byteToken('x')}, ok)).substring(1));
        // the generation ends at once: no output at all (the U+FFFD is the prompt's)
        assertThat(streamed(prompt)).isEmpty();
    }

    @RepeatedTest(20)
    void randomContextsEndingMidCharacterGiveWhatTheGeneratedTokensAdd(RepetitionInfo repetition) {
        // Given a context whose last tokens are some of the bytes of a character, and a generation that
        // finishes it (or not) and goes on
        Random random = new Random(repetition.getCurrentRepetition());
        int[] codePoints = {0xE9, 0x4E2D, 0x1F600, 0x3B1, 0x20AC};
        byte[] c = new String(Character.toChars(codePoints[random.nextInt(codePoints.length)])).getBytes(StandardCharsets.UTF_8);
        int inPrompt = 1 + random.nextInt(c.length - 1);
        int[] context = tokenizer.encode("Some words", true);
        for (int i = 0; i < inPrompt; i++) {
            context = concat(context, byteToken(c[i] & 0xff));
        }
        boolean finishes = random.nextBoolean();
        int[] generated = new int[0];
        if (finishes) {
            for (int i = inPrompt; i < c.length; i++) {
                generated = concat(generated, byteToken(c[i] & 0xff));
            }
        }
        int[] rest = tokenizer.encode(" and more", false);
        generated = concat(generated, rest);

        // When it is streamed
        String text = streamed(context, generated);

        // Then the output is the character (when finished) and the text after it
        String after = tokenizer.decode(concat(new int[] {byteToken('x')}, rest)).substring(1);
        assertThat(text).isEqualTo(finishes ? new String(c, StandardCharsets.UTF_8) + after : after);
    }

    @Test
    void aContextCutInsideTheCharacterBeforeTheUnfinishedOneStillHoldsOnlyTheUnfinishedOne() {
        // Given the last four tokens of a prompt ending "😀" + the first byte of "€": the window starts
        // inside the emoji (F0 | 9F 98 80 E2), as TextStream cuts it
        int[] window = {byteToken(0x9F), byteToken(0x98), byteToken(0x80), byteToken(0xE2)};
        assertThat(streamed(window, byteToken(0x82), byteToken(0xAC))).isEqualTo("€");
    }

    @Test
    void theSettledPromptTextFollowedByTheOutputIsTheWholeDecode() {
        int[] prompt = concat(tokenizer.encode("Price", true), byteToken(0xE2), byteToken(0x82));
        int[] generated = {byteToken(0xAC), byteToken('!')};
        assertThat(IncrementalDecoder.settledText(tokenizer, prompt)).isEqualTo(tokenizer.decode(tokenizer.encode("Price", true)));
        assertThat(IncrementalDecoder.settledText(tokenizer, prompt) + streamed(prompt, generated))
                .isEqualTo(tokenizer.decode(concat(prompt, generated)));
        // a prompt ending on a whole character is its decode
        int[] whole = concat(prompt, byteToken(0xAC));
        assertThat(IncrementalDecoder.settledText(tokenizer, whole)).isEqualTo(tokenizer.decode(whole));
    }

    @Test
    void aContextWindowThatStartsInsideACharacterDoesNotSpoilTheGeneratedBytes() {
        // Given the last four tokens of a prompt "中中" in byte tokens (E4 B8 AD E4 B8 AD): AD | E4 B8 AD
        int[] window = {byteToken(0xAD), byteToken(0xE4), byteToken(0xB8), byteToken(0xAD)};
        // When the generation writes "é" in byte tokens, which join the window's run of byte tokens
        // Then it is released as "é", not as U+FFFD for a run that does not decode
        assertThat(streamed(window, byteToken(0xC3), byteToken(0xA9))).isEqualTo("é");
    }
}
