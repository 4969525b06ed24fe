package io.streamrec.train;

import java.util.Arrays;

/**
 * A mini-batch as the engines see it: (user row, item row, target) triples, positives and their fresh negatives
 * together. Reused from batch to batch so the hot loop allocates nothing.
 */
public final class Samples {
    private int size;
    private int[] users = new int[0];
    private int[] items = new int[0];
    private float[] targets = new float[0];

    public void clear() {
        size = 0;
    }

    public void add(int user, int item, float target) {
        if (size == users.length) {
            int cap = Math.max(1024, size * 2);
            users = Arrays.copyOf(users, cap);
            items = Arrays.copyOf(items, cap);
            targets = Arrays.copyOf(targets, cap);
        }
        users[size] = user;
        items[size] = item;
        targets[size] = target;
        size++;
    }

    public int size() {
        return size;
    }

    /** Backing arrays, valid in [0, size()). */
    public int[] users() {
        return users;
    }

    public int[] items() {
        return items;
    }

    public float[] targets() {
        return targets;
    }
}
