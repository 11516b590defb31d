package dev.tandem.models.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreeBlockQueueTest {

    @Test
    void handsOutInIdOrderThenHonoursHeadTailAndRemovalsAnywhere() {
        // Given a pool of 5 blocks, all free
        FreeBlockQueue queue = new FreeBlockQueue(5);
        assertThat(queue.size()).isEqualTo(5);
        assertThat(queue.poll()).isEqualTo(0);
        assertThat(queue.poll()).isEqualTo(1);
        // When 0 returns to the tail, 1 to the head, and 3 leaves from the middle
        queue.addLast(0);
        queue.addFirst(1);
        queue.remove(3);
        // Then the order is 1, 2, 4, 0 and 3 is not free
        assertThat(queue.contains(3)).isFalse();
        List<Integer> order = new ArrayList<>();
        while (queue.size() > 0) {
            order.add(queue.poll());
        }
        assertThat(order).containsExactly(1, 2, 4, 0);
    }

    @Test
    void misuseIsRefused() {
        FreeBlockQueue queue = new FreeBlockQueue(2);
        assertThatThrownBy(() -> queue.addLast(1)).hasMessageContaining("already free");
        queue.remove(1);
        assertThatThrownBy(() -> queue.remove(1)).hasMessageContaining("not free");
        queue.poll();
        assertThatThrownBy(queue::poll).hasMessageContaining("no free block");
    }
}
