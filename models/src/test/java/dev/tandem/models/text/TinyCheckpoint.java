package dev.tandem.models.text;

import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One tiny generated checkpoint and its tokenizer, shared by the text tests of a JVM. */
final class TinyCheckpoint {
    static final Path DIR;
    static final Checkpoint CHECKPOINT;
    static final HfTokenizer TOKENIZER;

    static {
        try {
            DIR = Files.createTempDirectory("tandem-tiny-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CheckpointGenerator.write(DIR, GeneratorOptions.tiny());
        CHECKPOINT = Checkpoint.open(DIR);
        TOKENIZER = HfTokenizer.open(CHECKPOINT);
    }

    private TinyCheckpoint() {}
}
