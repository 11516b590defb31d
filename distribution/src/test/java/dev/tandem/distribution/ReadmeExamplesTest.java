package dev.tandem.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's SDK examples, read as a newcomer pastes them: each shows what it asked for. */
class ReadmeExamplesTest {
    private static final Pattern BLOCK = Pattern.compile("(?ms)^```(\\w+)\\n(.*?)^```");

    record Example(String language, String code) {
        /** Names bound to an SDK call's answer: {@code const reply = await client...}, {@code reply = client...}. */
        List<String> answers() {
            Pattern assignment = language.equals("js")
                    ? Pattern.compile("(?:const|let|var)\\s+(\\w+)\\s*=\\s*await\\s+client\\.")
                    : Pattern.compile("(?m)^\\s*(\\w+)\\s*=\\s*client\\.");
            List<String> names = new ArrayList<>();
            for (Matcher m = assignment.matcher(code); m.find(); ) {
                names.add(m.group(1));
            }
            return names;
        }

        /** Whether {@code name} reaches the output: {@code console.log(…name…)} or {@code print(…name…)}. */
        boolean prints(String name) {
            String output = language.equals("js") ? "console\\.log\\(" : "print\\(";
            return Pattern.compile(output + "[^\\n]*\\b" + Pattern.quote(name) + "\\b").matcher(code).find();
        }
    }

    static List<Example> sdkExamples() throws Exception {
        String readme = Files.readString(Shell.repositoryRoot().resolve("README.md"));
        List<Example> examples = new ArrayList<>();
        for (Matcher m = BLOCK.matcher(readme); m.find(); ) {
            if ((m.group(1).equals("js") || m.group(1).equals("python")) && m.group(2).contains("client")) {
                examples.add(new Example(m.group(1), m.group(2)));
            }
        }
        return examples;
    }

    @Test
    void everySdkExamplePrintsTheAnswersItAsksFor() throws Exception {
        // Guards the Anthropic JavaScript example, which asked for a message and printed nothing
        List<Example> examples = sdkExamples();
        assertThat(examples).as("the OpenAI and Anthropic examples in Python and JavaScript").hasSize(4);
        for (Example e : examples) {
            assertThat(e.answers()).as("answers bound in\n%s", e.code()).isNotEmpty();
            for (String answer : e.answers()) {
                assertThat(e.prints(answer)).as("%s printed by\n%s", answer, e.code()).isTrue();
            }
        }
    }

    @Test
    void theCheckSeesAnAnswerThatIsNeverPrinted() {
        Example silent = new Example("js", "const message = await client.messages.create({});\n");
        assertThat(silent.answers()).containsExactly("message");
        assertThat(silent.prints("message")).isFalse();
        Example shown = new Example("python", "reply = client.chat.completions.create()\nprint(reply.choices[0].message.content)\n");
        assertThat(shown.prints("reply")).isTrue();
    }
}
