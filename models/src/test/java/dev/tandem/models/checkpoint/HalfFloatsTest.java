package dev.tandem.models.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    @Test
    void everyHalfSurvivesWideningAndNarrowing() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.halfToFloat((short) bits);
            if (Float.isNaN(f)) {
                assertThat((bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0).isTrue();
                continue;
            }
            assertThat(HalfFloats.floatToHalf(f) & 0xffff).as("0x%04x", bits).isEqualTo(bits);
        }
    }

    @Test
    void knownHalfValues() {
        assertThat(HalfFloats.halfToFloat((short) 0x3c00)).isEqualTo(1f);
        assertThat(HalfFloats.halfToFloat((short) 0xc000)).isEqualTo(-2f);
        assertThat(HalfFloats.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(HalfFloats.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfFloats.halfToFloat((short) 0x3555)).isEqualTo(0.33325195f);
        assertThat(HalfFloats.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.halfToFloat((short) 0x8000)).isEqualTo(-0f);
    }

    @Test
    void narrowingRoundsToNearestEven() {
        // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to the even one, 1
        assertThat(HalfFloats.floatToHalf(1 + 0x1p-11f)).isEqualTo((short) 0x3c00);
        assertThat(HalfFloats.floatToHalf(1 + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3c01);
        assertThat(HalfFloats.floatToHalf(1e6f)).isEqualTo((short) 0x7c00);
    }

    @Test
    void bfloat16IsTheTopHalfOfAFloat() {
        assertThat(HalfFloats.bf16ToFloat((short) 0x3f80)).isEqualTo(1f);
        assertThat(HalfFloats.bf16ToFloat((short) 0xc040)).isEqualTo(-3f);
        assertThat(HalfFloats.floatToBf16(1f)).isEqualTo((short) 0x3f80);
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80); // tie to even
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82);
    }
}
