package io.streamrec.dataset.synthetic;

/**
 * The (user, item) pairs a stream has emitted, in fixed memory: a blocked Bloom filter. It never forgets a pair,
 * so a stream that consults it never repeats one; it may wrongly claim an unseen pair, which only makes the
 * generator draw another item. Each pair's bits live in one 512-bit block (one cache line), so a lookup costs one
 * cache miss however large the filter, which keeps generation O(1) per event at 10M+ events.
 */
final class SeenPairs {
    private static final int WORDS_PER_BLOCK = 8;
    private static final int HASHES = 6;
    private final long[] words;
    private final long blocks;

    /**
     * @param expectedPairs how many pairs will be added; the filter takes about 12 bits per pair, capped at
     *                      {@code maxBytes}
     */
    SeenPairs(long expectedPairs, long maxBytes) {
        long bits = Math.max(1L << 12, Math.min(expectedPairs * 12, maxBytes * 8));
        long b = Math.max(1, bits / (64L * WORDS_PER_BLOCK));
        if (b * WORDS_PER_BLOCK > Integer.MAX_VALUE - 8) {
            b = (Integer.MAX_VALUE - 8) / WORDS_PER_BLOCK;
        }
        blocks = b;
        words = new long[(int) (blocks * WORDS_PER_BLOCK)];
    }

    long bytes() {
        return words.length * 8L;
    }

    /** Adds the pair; returns false when it was (or seems to have been) added before. */
    boolean add(int user, int item) {
        long h = mix(((long) user << 32) ^ (item & 0xFFFFFFFFL));
        int base = (int) Math.floorMod(h >>> 1, blocks) * WORDS_PER_BLOCK;
        long g = mix(h);
        boolean present = true;
        for (int k = 0; k < HASHES; k++) {
            int bit = (int) (g >>> (k * 9)) & 511;
            int w = base + (bit >>> 6);
            long mask = 1L << (bit & 63);
            if ((words[w] & mask) == 0) {
                present = false;
                words[w] |= mask;
            }
        }
        return !present;
    }

    /** Stafford's variant 13 of the SplitMix64 finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
