package io.streamrec.score.state;

import io.streamrec.contract.Recommendation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The list this instance last sent to {@code recommendations} for each user of its partitions, so that a query
 * answers with what the topic holds. Ranking afresh at query time gave another list whenever the item factors had
 * moved since the user's list was sent without moving enough for a full rescore (continual training moves them a
 * little in every snapshot): in the demo, 588 of 610 queried lists differed from the topic's.
 *
 * <p>Kept compact (movie ids and single-precision scores, as the topic's JSON writes them; titles are looked up
 * again when answering), about 250 bytes a user (40 MB for ml-25m's 162,541), and not changelogged: the topic is
 * the lists' durable copy. A partition's lists are dropped when its task leaves this instance, so after a restart or
 * a rebalance a user has none here until the next list is sent. Written by the stream threads (each for its own
 * partitions), read by the query threads.
 */
public final class SentLists {
    private final Map<Integer, Map<Long, Sent>> byPartition = new ConcurrentHashMap<>();

    /** A sent list without its titles. */
    private record Sent(long modelVersion, long generatedAt, Long triggeredAt, String trigger, String source,
                        long[] movieIds, float[] scores) {
    }

    public void sent(int partition, Recommendation list) {
        List<Recommendation.Item> items = list.items();
        long[] movieIds = new long[items.size()];
        float[] scores = new float[items.size()];
        for (int i = 0; i < movieIds.length; i++) {
            movieIds[i] = items.get(i).movieId();
            scores[i] = (float) items.get(i).score();
        }
        byPartition.computeIfAbsent(partition, p -> new ConcurrentHashMap<>())
                .put(list.userId(), new Sent(list.modelVersion(), list.generatedAt(), list.triggeredAt(), list.trigger(),
                        list.source(), movieIds, scores));
    }

    /** The user's last sent list, titled from the catalogue, or null when none was sent from here. */
    public Recommendation latest(int partition, long userId, Catalog catalog) {
        Map<Long, Sent> lists = byPartition.get(partition);
        Sent s = lists == null ? null : lists.get(userId);
        if (s == null) {
            return null;
        }
        List<Recommendation.Item> items = new ArrayList<>(s.movieIds.length);
        for (int i = 0; i < s.movieIds.length; i++) {
            items.add(new Recommendation.Item(s.movieIds[i], catalog.title(s.movieIds[i]), s.scores[i]));
        }
        return new Recommendation(userId, s.modelVersion, s.generatedAt, s.triggeredAt, s.trigger, s.source, items);
    }

    /** Forgets a partition's lists: its task left this instance. */
    public void drop(int partition) {
        byPartition.remove(partition);
    }
}
