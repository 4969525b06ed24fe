package io.streamrec.score.state;

import io.streamrec.score.model.CandidateIndex;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each recently ranked user's last retrieved candidates (their pool), shared by the threads of an instance, so a
 * stream thread and an HTTP query re-rank the same pool. Bounded: the least recently used pool goes first.
 */
public final class CandidatePools {
    /**
     * @param index the index the candidates came from: a pool is only good while that index serves
     * @param query the user's retrieval query they were retrieved for
     * @param items table indices of the candidates
     */
    public record Pool(CandidateIndex index, float[] query, int[] items) {
    }

    private final int capacity;
    private final LinkedHashMap<Long, Pool> pools;

    public CandidatePools(int capacity) {
        this.capacity = capacity;
        this.pools = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Pool> eldest) {
                return size() > CandidatePools.this.capacity;
            }
        };
    }

    public synchronized Pool get(long userId) {
        return pools.get(userId);
    }

    public synchronized void put(long userId, Pool pool) {
        if (capacity > 0) {
            pools.put(userId, pool);
        }
    }

    public synchronized int size() {
        return pools.size();
    }
}
