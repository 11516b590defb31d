package dev.tandem.models.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KvAllocatorTest {
    @Test
    void rangesNeverOverlapAndFreeingMergesNeighbours() {
        KvAllocator allocator = new KvAllocator(1000);
        boolean[] used = new boolean[1000];
        List<int[]> held = new ArrayList<>();
        Random random = new Random(7);
        for (int op = 0; op < 20_000; op++) {
            if (random.nextBoolean() || held.isEmpty()) {
                int n = 1 + random.nextInt(120);
                int start = allocator.reserve(n);
                if (start >= 0) {
                    for (int i = start; i < start + n; i++) {
                        assertThat(used[i]).as("slot %d handed out twice", i).isFalse();
                        used[i] = true;
                    }
                    held.add(new int[] {start, n});
                } else {
                    assertThat(allocator.largestFreeRange()).isLessThan(n);
                }
            } else {
                int[] r = held.remove(random.nextInt(held.size()));
                allocator.release(r[0], r[1]);
                for (int i = r[0]; i < r[0] + r[1]; i++) {
                    used[i] = false;
                }
            }
            int free = 0;
            for (boolean u : used) {
                free += u ? 0 : 1;
            }
            assertThat(allocator.freeTokens()).isEqualTo(free);
        }
        held.forEach(r -> allocator.release(r[0], r[1]));
        assertThat(allocator.largestFreeRange()).isEqualTo(1000);
    }

    @Test
    void doubleReleaseIsRefused() {
        KvAllocator allocator = new KvAllocator(100);
        int a = allocator.reserve(10);
        allocator.release(a, 10);
        assertThatThrownBy(() -> allocator.release(a, 10)).isInstanceOf(IllegalStateException.class);
    }
}
