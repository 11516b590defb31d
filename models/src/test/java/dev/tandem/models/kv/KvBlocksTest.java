package dev.tandem.models.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KvBlocksTest {
    private static final int BLOCK = 4;

    private static int[] tokens(int length, int salt) {
        return IntStream.range(0, length).map(i -> 10 + (i * 7 + salt * 31) % 200).toArray();
    }

    /** A table holding {@code tokens[0, length)} computed: allocated (after a lookup) and cached. */
    private static BlockTable computed(KvBlocks kv, int[] tokens, int length) {
        BlockTable table = new BlockTable();
        PrefixHit hit = kv.lookup(table, tokens, length);
        assertThat(kv.allocate(table, hit, length)).isTrue();
        kv.cacheComputed(table, tokens, length);
        return table;
    }

    @Test
    void tablesGrowBlockByBlockAndAShortPoolRefusesWithoutChangingAnything() {
        // Given a pool of 4 blocks
        KvBlocks kv = new KvBlocks(4, BLOCK, true);
        BlockTable a = new BlockTable();
        BlockTable b = new BlockTable();
        // When a takes 5 positions (2 blocks) and b asks for 9 (3 blocks)
        assertThat(kv.allocate(a, PrefixHit.NONE, 5)).isTrue();
        assertThat(a.size()).isEqualTo(2);
        assertThat(kv.allocate(b, PrefixHit.NONE, 9)).isFalse();
        // Then b got nothing and the 2 other blocks are still free; 8 positions fit exactly
        assertThat(b.size()).isZero();
        assertThat(kv.freeBlocks()).isEqualTo(2);
        assertThat(kv.allocate(b, PrefixHit.NONE, 8)).isTrue();
        assertThat(kv.freeBlocks()).isZero();
        assertThat(kv.allocate(a, PrefixHit.NONE, 8)).as("a's 8 positions fit in its 2 blocks").isTrue();
        assertThat(kv.allocate(a, PrefixHit.NONE, 9)).isFalse();
        // And freeing returns them all
        kv.free(a);
        kv.free(b);
        assertThat(kv.freeBlocks()).isEqualTo(4);
        assertThat(a.size()).isZero();
    }

    @Test
    void aPromptStartingWithCachedFullBlocksSharesThemAndItsLastTokenIsAlwaysComputed() {
        KvBlocks kv = new KvBlocks(16, BLOCK, true);
        int[] tokens = tokens(13, 1);
        // Given a sequence that computed 12 tokens: 3 full blocks cached
        BlockTable a = computed(kv, tokens, 12);
        // When a sequence of the same 12 tokens looks up: only 2 blocks, its 12th token must be computed
        assertThat(kv.lookup(new BlockTable(), tokens, 12).tokens()).isEqualTo(8);
        // and one of 13 tokens (the 12 and one more) gets all 3
        BlockTable b = new BlockTable();
        PrefixHit hit = kv.lookup(b, tokens, 13);
        assertThat(hit.tokens()).isEqualTo(12);
        assertThat(hit.blocks()).containsExactly(a.block(0), a.block(1), a.block(2));
        assertThat(kv.allocate(b, hit, 13)).isTrue();
        // Then the 3 blocks are held twice and b has one block of its own for position 12
        assertThat(b.size()).isEqualTo(4);
        for (int i = 0; i < 3; i++) {
            assertThat(b.block(i)).isEqualTo(a.block(i));
            assertThat(kv.holders(a.block(i))).isEqualTo(2);
        }
        assertThat(kv.holders(b.block(3))).isEqualTo(1);
        assertThat(kv.freeBlocks()).isEqualTo(16 - 4);
        // And when a leaves, b still holds the shared blocks
        kv.free(a);
        assertThat(kv.holders(b.block(0))).isEqualTo(1);
        assertThat(kv.queriedTokens()).isEqualTo(12 + 13);
        assertThat(kv.hitTokens()).isEqualTo(0 + 12);
    }

    @Test
    void aTableStartedByAHitGrowsAndCachesItsOwnBlocksOnly() {
        KvBlocks kv = new KvBlocks(16, BLOCK, true);
        int[] tokens = tokens(20, 8);
        BlockTable a = computed(kv, tokens, 8);
        // Given b starting with a's 2 cached blocks, at 9 tokens
        BlockTable b = new BlockTable();
        PrefixHit hit = kv.lookup(b, tokens, 9);
        assertThat(kv.allocate(b, hit, 9)).isTrue();
        // When b grows to 20 positions step by step, caching what it computed after each step
        for (int computedNow = 9; computedNow <= 20; computedNow++) {
            assertThat(kv.allocate(b, PrefixHit.NONE, computedNow)).isTrue();
            kv.cacheComputed(b, tokens, computedNow);
        }
        // Then its 3 own full blocks are cached after the shared two, which are held twice
        assertThat(b.size()).isEqualTo(5);
        assertThat(kv.holders(a.block(0))).isEqualTo(2);
        assertThat(kv.lookup(new BlockTable(), tokens, 20).blocks())
                .containsExactly(a.block(0), a.block(1), b.block(2), b.block(3));
    }

    @Test
    void aPartialMatchHitsTheFullBlocksBeforeTheFirstDifference() {
        KvBlocks kv = new KvBlocks(16, BLOCK, true);
        int[] original = tokens(12, 2);
        computed(kv, original, 12);
        // A prompt equal in its first 6 tokens: block 0 matches, block 1 differs at position 6
        int[] other = original.clone();
        other[6] = 999;
        assertThat(kv.lookup(new BlockTable(), other, 12).tokens()).isEqualTo(4);
        // A prompt that differs in its first token shares nothing, though its later tokens are equal
        int[] shifted = original.clone();
        shifted[0] = 998;
        assertThat(kv.lookup(new BlockTable(), shifted, 12).tokens()).isZero();
    }

    @Test
    void freedCachedBlocksStayFindableUntilNeededThenTheLeastRecentlyUsedGoesFirst() {
        // Given a pool of 4 blocks, all holding a finished sequence's 16 cached tokens
        KvBlocks kv = new KvBlocks(4, BLOCK, true);
        int[] tokens = tokens(17, 3);
        kv.free(computed(kv, tokens, 16));
        assertThat(kv.freeBlocks()).isEqualTo(4);
        assertThat(kv.lookup(new BlockTable(), tokens, 17).tokens()).isEqualTo(16);
        // When another sequence needs one block
        BlockTable other = new BlockTable();
        assertThat(kv.allocate(other, PrefixHit.NONE, 1)).isTrue();
        // Then the sequence's last block was evicted, its first three still hit
        assertThat(kv.evictedBlocks()).isEqualTo(1);
        assertThat(kv.lookup(new BlockTable(), tokens, 17).tokens()).isEqualTo(12);
        // And a hit on them keeps them while the pool evicts around them
        BlockTable again = new BlockTable();
        PrefixHit hit = kv.lookup(again, tokens, 17);
        assertThat(kv.allocate(again, hit, 13)).as("3 cached blocks and none free for position 12").isFalse();
        kv.free(other);
        assertThat(kv.allocate(again, hit, 13)).isTrue();
        assertThat(kv.evictedBlocks()).isEqualTo(1);
    }

    @Test
    void blocksCachingNothingAreReusedBeforeCachedOnes() {
        KvBlocks kv = new KvBlocks(3, BLOCK, true);
        int[] tokens = tokens(10, 4);
        // 10 tokens: 2 full cached blocks and a partial one that caches nothing
        BlockTable a = computed(kv, tokens, 10);
        int partial = a.block(2);
        kv.free(a);
        BlockTable b = new BlockTable();
        assertThat(kv.allocate(b, PrefixHit.NONE, 1)).isTrue();
        assertThat(b.block(0)).isEqualTo(partial);
        assertThat(kv.evictedBlocks()).isZero();
        assertThat(kv.lookup(new BlockTable(), tokens, 10).tokens()).isEqualTo(8);
    }

    @Test
    void twoSequencesComputingTheSameTokensAtOnceCacheOneCopy() {
        KvBlocks kv = new KvBlocks(8, BLOCK, true);
        int[] tokens = tokens(9, 5);
        BlockTable a = new BlockTable();
        BlockTable b = new BlockTable();
        assertThat(kv.allocate(a, kv.lookup(a, tokens, 9), 9)).isTrue();
        assertThat(kv.allocate(b, kv.lookup(b, tokens, 9), 9)).isTrue();
        kv.cacheComputed(a, tokens, 9);
        kv.cacheComputed(b, tokens, 9);
        // a's blocks are the cached copy; b's stay private and are reused first once freed
        assertThat(kv.lookup(new BlockTable(), tokens, 9).blocks()).containsExactly(a.block(0), a.block(1));
        kv.free(b);
        kv.free(a);
        BlockTable c = new BlockTable();
        assertThat(kv.allocate(c, PrefixHit.NONE, 12)).isTrue();
        assertThat(kv.evictedBlocks()).isZero();
    }

    @Test
    void withPrefixCachingOffNothingIsSharedOrCounted() {
        KvBlocks kv = new KvBlocks(8, BLOCK, false);
        int[] tokens = tokens(13, 6);
        computed(kv, tokens, 12);
        assertThat(kv.lookup(new BlockTable(), tokens, 13)).isSameAs(PrefixHit.NONE);
        assertThat(kv.queriedTokens()).isZero();
    }

    @Test
    void aHitOnlyStartsAnEmptyTableAndAStaleHitIsRefused() {
        KvBlocks kv = new KvBlocks(2, BLOCK, true);
        int[] tokens = tokens(5, 7);
        kv.free(computed(kv, tokens, 4));
        BlockTable started = new BlockTable();
        PrefixHit hit = kv.lookup(started, tokens, 5);
        assertThat(hit.tokens()).isEqualTo(4);
        BlockTable full = new BlockTable();
        assertThat(kv.allocate(full, PrefixHit.NONE, 1)).isTrue();
        assertThatThrownBy(() -> kv.allocate(full, hit, 5)).hasMessageContaining("empty table");
        // The cached block is evicted by another allocation: the old hit must not be taken
        assertThat(kv.allocate(new BlockTable(), PrefixHit.NONE, 1)).isTrue();
        kv.free(full);
        assertThatThrownBy(() -> kv.allocate(started, hit, 5)).hasMessageContaining("stale");
    }
}
