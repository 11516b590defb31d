package dev.tandem.server.ops.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.ops.redaction.Redactor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** DJL's "CUDA driver version is insufficient" warnings are no news on a machine without an NVIDIA driver. */
@EnabledOnOs(OS.LINUX)
class CudaProbeWarningsTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @AfterEach
    void backToStderr() {
        LogSetup.configure(Defaults.CONFIG.logging(), Redactor.fromConfig(Defaults.CONFIG.redaction()));
    }

    private String probeWarnsWith(Path driver) {
        LogSetup.configure(Defaults.CONFIG.logging(), Redactor.safetyNet(), logs, driver);
        LoggerFactory.getLogger(LogSetup.CUDA_PROBE).warn("Failed to detect GPU count: CUDA driver version is insufficient (35)");
        LoggerFactory.getLogger(LogSetup.CUDA_PROBE).error("a CUDA failure that matters");
        return logs.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutAnNvidiaDriverTheProbesWarningsAreQuietButItsErrorsAreNot() {
        String text = probeWarnsWith(dir.resolve("no-driver"));
        assertThat(text).doesNotContain("CUDA driver version is insufficient").contains("a CUDA failure that matters");
    }

    @Test
    void withAnNvidiaDriverLoadedTheProbesWarningsStay() throws IOException {
        Path driver = Files.writeString(dir.resolve("version"), "NVRM version: 550.0");
        assertThat(probeWarnsWith(driver)).contains("CUDA driver version is insufficient");
    }
}
