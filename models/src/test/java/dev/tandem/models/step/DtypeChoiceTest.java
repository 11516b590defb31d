package dev.tandem.models.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.EngineConfig;
import dev.tandem.models.Engines;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.step.DtypeChoice.Hardware;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auto picks the fastest dtype the device runs natively; a dtype it cannot run well is refused with what to set. */
class DtypeChoiceTest {
    private static final Hardware ZEN4 = Hardware.cpu(Set.of("avx2", "avx512f", "avx512_bf16"));
    private static final Hardware SAPPHIRE_RAPIDS = Hardware.cpu(Set.of("avx512f", "amx_tile", "amx_bf16"));
    private static final Hardware OLD_CPU = Hardware.cpu(Set.of("avx2", "fma"));

    @TempDir Path dir;

    @Test
    void autoIsBfloat16WhereItIsNativeFloat16OnOlderGpusFloat32Elsewhere() {
        assertThat(DtypeChoice.choose("auto", ZEN4).dtype()).isEqualTo(ComputeDtype.BFLOAT16);
        assertThat(DtypeChoice.choose("auto", ZEN4).reason()).contains("AVX512_BF16");
        assertThat(DtypeChoice.choose("auto", SAPPHIRE_RAPIDS).dtype()).isEqualTo(ComputeDtype.BFLOAT16);
        assertThat(DtypeChoice.choose("auto", SAPPHIRE_RAPIDS).reason()).contains("AMX");
        assertThat(DtypeChoice.choose("auto", OLD_CPU).dtype()).isEqualTo(ComputeDtype.FLOAT32);
        assertThat(DtypeChoice.choose("AUTO", Hardware.gpu(80)).dtype()).isEqualTo(ComputeDtype.BFLOAT16);
        assertThat(DtypeChoice.choose("auto", Hardware.gpu(90)).dtype()).isEqualTo(ComputeDtype.BFLOAT16);
        assertThat(DtypeChoice.choose("auto", Hardware.gpu(75)).dtype()).isEqualTo(ComputeDtype.FLOAT16);
        assertThat(DtypeChoice.choose("auto", Hardware.gpu(75)).reason()).contains("7.5");
    }

    @Test
    void anExplicitDtypeTheDeviceRunsIsKept() {
        assertThat(DtypeChoice.choose("float32", ZEN4).dtype()).isEqualTo(ComputeDtype.FLOAT32);
        assertThat(DtypeChoice.choose("bf16", ZEN4).dtype()).isEqualTo(ComputeDtype.BFLOAT16);
        assertThat(DtypeChoice.choose("fp16", Hardware.gpu(75)).dtype()).isEqualTo(ComputeDtype.FLOAT16);
        assertThat(DtypeChoice.choose("float32", OLD_CPU).reason()).contains("engine.dtype");
    }

    @Test
    void aDtypeTheDeviceCannotRunWellIsRefusedWithWhatToSet() {
        assertThatThrownBy(() -> DtypeChoice.choose("float16", ZEN4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("float16 is refused on the CPU").hasMessageContaining("set engine.dtype to bfloat16");
        assertThatThrownBy(() -> DtypeChoice.choose("half", OLD_CPU))
                .hasMessageContaining("set engine.dtype to float32 or auto");
        assertThatThrownBy(() -> DtypeChoice.choose("bfloat16", OLD_CPU))
                .hasMessageContaining("emulated").hasMessageContaining("set engine.dtype to float32 or auto");
        assertThatThrownBy(() -> DtypeChoice.choose("bfloat16", Hardware.gpu(70)))
                .hasMessageContaining("compute capability 7.0").hasMessageContaining("set engine.dtype to float16");
        assertThatThrownBy(() -> DtypeChoice.choose("int4", ZEN4))
                .hasMessageContaining("'int4'").hasMessageContaining("auto, float32, float16 or bfloat16");
    }

    @Test
    void thisMachinesCpuFlagsDecideAuto() {
        Hardware here = Hardware.thisCpu();
        boolean native16 = here.cpuFlags().contains("avx512_bf16") || here.cpuFlags().contains("amx_bf16");
        assertThat(DtypeChoice.choose("auto", here).dtype()).isEqualTo(native16 ? ComputeDtype.BFLOAT16 : ComputeDtype.FLOAT32);
    }

    @Test
    void engineLoadStepRefusesFloat16OnTheCpuBeforeLoading() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            EngineConfig config = EngineConfig.builder(dir).withDevice("cpu").withComputeDtype("float16").build();
            assertThatThrownBy(() -> Engines.loadStep(config, checkpoint, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("engine.dtype");
            try (TorchStep step = Engines.loadStep(config.toBuilder().withComputeDtype("float32").build(), checkpoint, null)) {
                assertThat(step.dtype()).isEqualTo(ComputeDtype.FLOAT32);
            }
        }
    }
}
