package io.streamrec.train;

import java.util.SplittableRandom;

/**
 * What the trainer remembers of the ratings it has trained, for continual training on history: the latest
 * {@code recentCapacity} events in order, and a uniform sample of every event so far (a reservoir of
 * {@code historyCapacity}, Vitter's algorithm R). Both are bounded, so memory stays flat however long the stream.
 * An event is (user row, item row, stars).
 *
 * <p>A draw takes, with probability {@code recentShare}, an event whose age (events back from the newest) is
 * exponentially distributed with mean {@code recentMeanAge}, so the newest ratings (a user's current session) are
 * trained again many times while they are fresh; otherwise an event drawn uniformly from the whole history, so old
 * tastes are not forgotten.
 */
public final class ReplayMemory {
    private final int[] recentUsers;
    private final int[] recentItems;
    private final float[] recentStars;
    private final int[] historyUsers;
    private final int[] historyItems;
    private final float[] historyStars;
    private final SplittableRandom reservoir;
    private long added;
    private int historySize;

    public ReplayMemory(int recentCapacity, int historyCapacity, long seed) {
        if (recentCapacity < 1 || historyCapacity < 1) {
            throw new IllegalArgumentException("replay memory capacities must be positive, got " + recentCapacity
                    + " recent and " + historyCapacity + " history events");
        }
        recentUsers = new int[recentCapacity];
        recentItems = new int[recentCapacity];
        recentStars = new float[recentCapacity];
        historyUsers = new int[historyCapacity];
        historyItems = new int[historyCapacity];
        historyStars = new float[historyCapacity];
        reservoir = new SplittableRandom(seed ^ 0x1F83D9ABFB41BD6BL);
    }

    public void add(int user, int item, float stars) {
        int r = (int) (added % recentUsers.length);
        recentUsers[r] = user;
        recentItems[r] = item;
        recentStars[r] = stars;
        int slot = historySize < historyUsers.length ? historySize++ : (int) Math.min(Integer.MAX_VALUE,
                reservoir.nextLong(added + 1));
        if (slot < historyUsers.length) {
            historyUsers[slot] = user;
            historyItems[slot] = item;
            historyStars[slot] = stars;
        }
        added++;
    }

    public boolean isEmpty() {
        return added == 0;
    }

    /** Where a drawn event is: its index in the recent ring (≥ 0) or, as -1 - index, in the history. */
    int draw(SplittableRandom random, double recentShare, double recentMeanAge) {
        if (random.nextDouble() < recentShare) {
            long held = Math.min(added, recentUsers.length);
            long age = Math.min(held - 1, (long) (-recentMeanAge * Math.log(1 - random.nextDouble())));
            return (int) ((added - 1 - age) % recentUsers.length);
        }
        return -1 - random.nextInt(historySize);
    }

    int user(int at) {
        return at >= 0 ? recentUsers[at] : historyUsers[-1 - at];
    }

    int item(int at) {
        return at >= 0 ? recentItems[at] : historyItems[-1 - at];
    }

    float stars(int at) {
        return at >= 0 ? recentStars[at] : historyStars[-1 - at];
    }
}
