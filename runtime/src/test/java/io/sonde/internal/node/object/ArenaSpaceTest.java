package io.sonde.internal.node.object;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The arena's free and taken space: first fit by address, no region across a chunk, merging, the tail. */
class ArenaSpaceTest {
    private static final long CHUNK = ArenaSpace.CHUNK;

    @Test
    void regionsPackFromTheStartOnSixtyFourBytes() {
        ArenaSpace a = new ArenaSpace(10_000);
        assertThat(a.take(100)).isZero();
        assertThat(a.take(1)).isEqualTo(128);
        assertThat(a.take(64)).isEqualTo(192);
        assertThat(a.takenBytes()).isEqualTo(256);
        assertThat(a.liveEnd()).isEqualTo(256);
        assertThat(a.regionAt(128)).isEqualTo(64);
    }

    @Test
    void aFreedRegionIsTheFirstToBeTakenAgainAndNeighboursMerge() {
        ArenaSpace a = new ArenaSpace(1000 * 64);
        long x = a.take(640);
        long y = a.take(640);
        long z = a.take(640);
        a.release(y);
        assertThat(a.take(64)).as("first fit: the hole y left").isEqualTo(y);
        a.release(y);
        a.release(x);
        a.release(z);
        assertThat(a.freeExtents()).as("all merged back into one").isEqualTo(1);
        assertThat(a.largestFree()).isEqualTo(1000 * 64);
        assertThat(a.takenBytes()).isZero();
        assertThat(a.highWater()).as("pages once used may still be in memory").isEqualTo(3 * 640);
    }

    @Test
    void noRegionCrossesTheEndOfAChunk() {
        ArenaSpace a = new ArenaSpace(3 * CHUNK);
        long first = a.take(CHUNK - 4096);
        assertThat(first).isZero();
        long second = a.take(8192); // does not fit in the 4 KiB left of chunk 0
        assertThat(second).isEqualTo(CHUNK);
        assertThat(a.take(4096)).as("the gap before the chunk's end is still used").isEqualTo(CHUNK - 4096);
        assertThat(a.fits(CHUNK)).isTrue();
        assertThat(a.fits(CHUNK + 1)).as("larger than a chunk: a file of its own").isFalse();
    }

    @Test
    void whenNoExtentHoldsARegionTheAnswerIsMinusOne() {
        ArenaSpace a = new ArenaSpace(64 * 10);
        long[] r = new long[10];
        for (int i = 0; i < 10; i++) {
            r[i] = a.take(64);
        }
        for (int i = 0; i < 10; i += 2) {
            a.release(r[i]);
        }
        assertThat(a.takenBytes()).isEqualTo(64 * 5);
        assertThat(a.take(128)).as("320 bytes free, but in 64-byte holes").isEqualTo(-1);
    }

    @Test
    void theIdleTailIsHeldWhileItIsGivenBackThenFreeAgain() {
        ArenaSpace a = new ArenaSpace(64 * 100);
        long x = a.take(64);
        long y = a.take(64 * 50);
        a.release(y);
        assertThat(a.highWater()).isEqualTo(64 * 51);
        assertThat(a.holdTail(a.liveEnd())).isTrue();
        assertThat(a.take(64)).as("nothing is placed in a tail being given back").isEqualTo(-1);
        a.releaseTail(64);
        a.trimmed(64);
        assertThat(a.highWater()).isEqualTo(64);
        assertThat(a.take(64)).isEqualTo(64);
        assertThat(a.holdTail(0)).as("the tail from 0 is not all free").isFalse();
        a.release(x);
    }

    @Test
    void aTailHeldFromInsideAFreeExtentLeavesItsStartFree() {
        ArenaSpace a = new ArenaSpace(64 * 100);
        long x = a.take(64);
        assertThat(a.holdTail(64 * 40 + 1)).as("not aligned").isFalse();
        assertThat(a.holdTail(64 * 40)).isTrue();
        assertThat(a.take(64 * 39)).as("the free start before the held tail").isEqualTo(64);
        assertThat(a.take(64)).as("nothing past it").isEqualTo(-1);
        a.releaseTail(64 * 40);
        assertThat(a.take(64 * 60)).isEqualTo(64 * 40);
        a.release(x);
    }
}
