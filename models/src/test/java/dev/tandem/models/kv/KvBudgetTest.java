package dev.tandem.models.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class KvBudgetTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    /** 16-token blocks of 1 MiB (64 KiB per token), 4,096-token sequences (256 MiB), 8 running at most. */
    private static final KvBudget.Shape SHAPE = new KvBudget.Shape(16, MIB, 4096, 8, "cpu");

    @Test
    void aFractionOfFreeMemoryInWholeBlocks() {
        KvBudget budget = KvBudget.choose(SHAPE, 0, 0.5, () -> GIB);
        assertThat(budget.blocks()).isEqualTo(512);
        assertThat(budget.tokens()).isEqualTo(512 * 16);
        assertThat(budget.bytes()).isEqualTo(512 * MIB);
        assertThat(budget.describe()).contains("512 blocks of 16 tokens = 8,192 tokens, 0.500 GiB")
                .contains("0.50 of 1.00 GiB free on cpu");
    }

    @Test
    void neverMoreThanTheRunningSequencesCanHold() {
        // 8 sequences of 256 blocks: 2,048 blocks, however much memory is free
        KvBudget budget = KvBudget.choose(SHAPE, 0, 0.9, () -> 100 * GIB);
        assertThat(budget.blocks()).isEqualTo(2048);
        assertThat(budget.describe()).contains("capped at what 8 running sequences of 4,096 tokens can hold");
    }

    @Test
    void anExplicitTokenBudgetWinsAndFreeMemoryIsNotEvenRead() {
        AtomicBoolean read = new AtomicBoolean();
        KvBudget budget = KvBudget.choose(SHAPE, 5000, 0.5, () -> {
            read.set(true);
            return 0;
        });
        assertThat(budget.blocks()).isEqualTo(313); // 5,000 tokens rounded up to whole blocks
        assertThat(read).isFalse();
        assertThat(budget.describe()).contains("kvTokenBudget 5000");
    }

    @Test
    void aBudgetTooSmallForOneFullSequenceIsRefusedSayingWhatToChange() {
        // 0.1 of 1 GiB = 102 blocks = 1,632 tokens < 4,096
        assertThatThrownBy(() -> KvBudget.choose(SHAPE, 0, 0.1, () -> GIB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1,632 tokens").hasMessageContaining("maxModelLen 4,096")
                .hasMessageContaining("raise kvMemoryFraction to at least 0.25")
                .hasMessageContaining("lower maxModelLen to at most 1,632");
        assertThatThrownBy(() -> KvBudget.choose(SHAPE, 4000, 0.5, () -> GIB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raise kvTokenBudget to at least 4,096")
                .hasMessageContaining("lower maxModelLen to at most 4,000");
        // Exactly one sequence is enough
        assertThat(KvBudget.choose(SHAPE, 4096, 0.5, () -> 0).blocks()).isEqualTo(256);
    }

    @Test
    void aFractionOutsideZeroToOneIsRefused() {
        for (double bad : new double[] {0, -0.5, 1.01, Double.NaN}) {
            assertThatThrownBy(() -> KvBudget.choose(SHAPE, 0, bad, () -> GIB))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kvMemoryFraction");
        }
    }

    @Test
    void memAvailableIsReadFromMeminfo() {
        assertThat(FreeMemory.memAvailable(List.of("MemTotal:       24589036 kB", "MemFree:         1000 kB",
                "MemAvailable:   20971520 kB"))).isEqualTo(20 * GIB);
        assertThatThrownBy(() -> FreeMemory.memAvailable(List.of("MemTotal: 1 kB"))).isInstanceOf(IllegalStateException.class);
        assertThat(FreeMemory.cpuAvailable()).isPositive();
    }
}
