package io.streamrec.dataset.synthetic;

import io.streamrec.contract.Movie;
import io.streamrec.dataset.RatingCursor;
import io.streamrec.dataset.RatingLog;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A MovieLens-shaped rating stream with planted structure, for tests that must show a model learns something and
 * for load far beyond MovieLens sizes. Every number is a function of the {@link SyntheticConfig} (seed included):
 * two instances with equal configs yield identical streams, and {@link #cursor()} and {@link #log()} yield the
 * same events.
 *
 * <h2>Generative model</h2>
 * <ol>
 *   <li><b>Items.</b> Item j gets a popularity rank r(j), a random permutation of 1..I (so popularity is not
 *       the id order), and weight w(j) = (r(j) + c)^-a: a power law (Zipf–Mandelbrot) in the rank. It gets a
 *       home topic h(j) in 0..K-1, dealt round-robin over a shuffled order so every topic holds I/K items, and a
 *       quality q(j) ~ N(0, 0.4²).</li>
 *   <li><b>Topics.</b> Topic k draws item j with probability proportional to w(j) among the items whose home is
 *       k: each topic is a popularity law over its own items.</li>
 *   <li><b>Users.</b> User u gets a primary topic t1(u) and a different secondary topic t2(u), each drawn with
 *       probability proportional to the topic's total item weight W(k): topics holding popular items have more
 *       fans. That choice makes an item's overall draw probability exactly w(j)/W, the planted power law; with
 *       uniform topics, each popular item would inflate its own topic's normaliser and flatten the head. A user
 *       also gets a bias b(u) ~ N(0, 0.3²) and an activity weight from a Pareto law of shape
 *       {@code activityExponent}, capped at {@code activityCap} times the smallest: a heavy tail of very active
 *       users.</li>
 *   <li><b>Events</b>, one at a time, O(1) each: the user is drawn by activity weight; the item comes from
 *       t1(u) with probability {@code primaryShare}, from t2(u) with probability {@code secondaryShare}, and
 *       otherwise from the global popularity law (taste-free noise). Every draw is an alias-table lookup: no
 *       softmax over the catalogue. A pair the user already rated is rejected (the stream never repeats a
 *       (user, item) pair): after 16 rejected draws the item comes from the popularity law, after 24 uniformly,
 *       and after 32 another user is drawn. So the shares are those of a user with items left to discover: a
 *       heavy user who has rated the head of a topic spills over to other items, and realised counts follow the
 *       power law wherever users are light but are flatter at the head where they are heavy, as in MovieLens,
 *       where the most rated movie cannot exceed the number of users.</li>
 *   <li><b>Stars</b>: 3.2 + b(u) + q(j) + affinity + N(0, 0.5²), with affinity +1.0 when h(j) = t1(u), +0.4
 *       when h(j) = t2(u), -0.5 otherwise; rounded to the nearest half star and clamped to 0.5..5.0.</li>
 *   <li><b>Time</b>: starts at {@code start}; each event follows the previous one after an exponential gap
 *       with mean span/events, in whole milliseconds, so timestamps never decrease and the stream covers about
 *       {@code span} whatever its length.</li>
 * </ol>
 * The planted structure is public ({@link #primaryTopic}, {@link #secondaryTopic}, {@link #homeTopic},
 * {@link #popularityRank}) so a test can check that a model recovers it: users of one primary topic should end
 * up close together, and rank items of their topic first. The movies ({@link #movies()}) carry the home topic as
 * their genre, so the structure is visible in recommendations too.
 *
 * <p>Memory: setup is O(users + items); a cursor adds a fixed-size filter of seen pairs (about 12 bits per
 * event, at most {@value #MAX_FILTER_BYTES} bytes). Simplifications against real MovieLens: users are active
 * throughout the stream rather than arriving and leaving, and no user is guaranteed 20 ratings.
 */
public final class SyntheticRatings {
    private static final long MAX_FILTER_BYTES = 256L << 20;
    private static final double MEAN_STARS = 3.2;
    private static final double USER_BIAS_SD = 0.3;
    private static final double ITEM_QUALITY_SD = 0.4;
    private static final double NOISE_SD = 0.5;
    private static final double PRIMARY_AFFINITY = 1.0;
    private static final double SECONDARY_AFFINITY = 0.4;
    private static final double OFF_TOPIC_AFFINITY = -0.5;
    private static final int MIXTURE_DRAWS = 16;
    private static final int POPULARITY_DRAWS = 24;
    private static final int ALL_DRAWS = 32;
    private static final int USER_REDRAWS = 1_000_000;

    private final SyntheticConfig config;
    private final int[] rank;
    private final double[] weight;
    private final short[] itemTopic;
    private final float[] quality;
    private final short[] primary;
    private final short[] secondary;
    private final float[] userBias;
    private final AliasTable users;
    private final AliasTable popularity;
    private final AliasTable[] topicTables;
    private final int[][] topicItems;
    private final double meanGapMillis;

    public SyntheticRatings(SyntheticConfig config) {
        this.config = config;
        int nItems = config.items();
        int nUsers = config.users();
        int k = config.topics();
        SplittableRandom random = new SplittableRandom(config.seed());

        rank = permutation(nItems, random);
        weight = new double[nItems];
        quality = new float[nItems];
        for (int j = 0; j < nItems; j++) {
            weight[j] = Math.pow(rank[j] + 1 + config.popularityOffset(), -config.popularityExponent());
            quality[j] = (float) (random.nextGaussian() * ITEM_QUALITY_SD);
        }
        itemTopic = new short[nItems];
        int[] dealOrder = permutation(nItems, random);
        int[] topicSize = new int[k];
        for (int j = 0; j < nItems; j++) {
            itemTopic[j] = (short) (dealOrder[j] % k);
            topicSize[itemTopic[j]]++;
        }
        topicItems = new int[k][];
        for (int t = 0; t < k; t++) {
            topicItems[t] = new int[topicSize[t]];
        }
        int[] filled = new int[k];
        for (int j = 0; j < nItems; j++) {
            topicItems[itemTopic[j]][filled[itemTopic[j]]++] = j;
        }
        topicTables = new AliasTable[k];
        double[] topicWeight = new double[k];
        for (int t = 0; t < k; t++) {
            double[] w = new double[topicItems[t].length];
            for (int i = 0; i < w.length; i++) {
                w[i] = weight[topicItems[t][i]];
                topicWeight[t] += w[i];
            }
            topicTables[t] = new AliasTable(w);
        }
        AliasTable fans = new AliasTable(topicWeight);
        popularity = new AliasTable(weight);

        primary = new short[nUsers];
        secondary = new short[nUsers];
        userBias = new float[nUsers];
        double[] activity = new double[nUsers];
        for (int u = 0; u < nUsers; u++) {
            primary[u] = (short) fans.sample(random);
            secondary[u] = primary[u];
            while (k > 1 && secondary[u] == primary[u]) {
                secondary[u] = (short) fans.sample(random);
            }
            userBias[u] = (float) (random.nextGaussian() * USER_BIAS_SD);
            activity[u] = Math.min(config.activityCap(), Math.pow(1 - random.nextDouble(), -1 / config.activityExponent()));
        }
        users = new AliasTable(activity);
        meanGapMillis = config.events() == 0 ? 0 : (double) config.span().toMillis() / config.events();
    }

    public SyntheticConfig config() {
        return config;
    }

    /** A fresh pass over the whole stream in bounded memory, however many events it holds. */
    public RatingCursor cursor() {
        return new Stream();
    }

    /**
     * The whole stream in memory.
     *
     * @throws IllegalArgumentException when it has more events than an in-memory log can hold
     */
    public RatingLog log() {
        if (config.events() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(config.events() + " events do not fit in memory; use cursor()");
        }
        return RatingLog.collect(cursor());
    }

    /** The catalogue: movie j is "Synthetic movie j", its genre its home topic ("topic-3"). */
    public List<Movie> movies() {
        List<Movie> movies = new ArrayList<>(config.items());
        for (int j = 0; j < config.items(); j++) {
            int year = 1950 + (int) Math.floorMod(config.seed() * 31 + j * 0x9E3779B1L, 71);
            movies.add(new Movie(j + 1L, "Synthetic movie " + (j + 1), year, List.of(topicName(itemTopic[j]))));
        }
        return movies;
    }

    public static String topicName(int topic) {
        return "topic-" + topic;
    }

    /** The topic most of the user's ratings come from, 0..K-1. */
    public int primaryTopic(long userId) {
        return primary[userIndex(userId)];
    }

    /** The user's second topic, 0..K-1 (equal to the primary only when K = 1). */
    public int secondaryTopic(long userId) {
        return secondary[userIndex(userId)];
    }

    /** The topic the item belongs to, 0..K-1. */
    public int homeTopic(long movieId) {
        return itemTopic[itemIndex(movieId)];
    }

    /** 1 for the item with the largest popularity weight, up to the number of items. */
    public int popularityRank(long movieId) {
        return rank[itemIndex(movieId)] + 1;
    }

    private int userIndex(long userId) {
        if (userId < 1 || userId > config.users()) {
            throw new IllegalArgumentException("no user " + userId + " in a stream of users 1.." + config.users());
        }
        return (int) (userId - 1);
    }

    private int itemIndex(long movieId) {
        if (movieId < 1 || movieId > config.items()) {
            throw new IllegalArgumentException("no movie " + movieId + " in a stream of movies 1.." + config.items());
        }
        return (int) (movieId - 1);
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private final class Stream implements RatingCursor {
        private final SplittableRandom random = new SplittableRandom(config.seed() ^ 0x6A09E667F3BCC909L);
        private final SeenPairs seen = new SeenPairs(config.events(), MAX_FILTER_BYTES);
        private long produced;
        private double clock = config.start().toEpochMilli();
        private int user;
        private int item;
        private float stars;
        private long time;

        @Override
        public boolean next() {
            if (produced == config.events()) {
                return false;
            }
            for (int attempt = 0; ; attempt++) {
                if (attempt == USER_REDRAWS) {
                    throw new IllegalStateException("synthetic stream: no unrated (user, item) pair found after "
                            + USER_REDRAWS + " users; the config asks for too dense a matrix");
                }
                user = users.sample(random);
                item = unratedItem(user);
                if (item >= 0) {
                    break;
                }
            }
            double affinity = itemTopic[item] == primary[user] ? PRIMARY_AFFINITY
                    : itemTopic[item] == secondary[user] ? SECONDARY_AFFINITY : OFF_TOPIC_AFFINITY;
            double score = MEAN_STARS + userBias[user] + quality[item] + affinity + random.nextGaussian() * NOISE_SD;
            stars = (float) Math.min(5.0, Math.max(0.5, Math.rint(score * 2) / 2));
            clock += -Math.log(1 - random.nextDouble()) * meanGapMillis;
            time = (long) clock;
            produced++;
            return true;
        }

        /** An item the user has not rated, drawn as the class comment describes, or -1 after every fallback. */
        private int unratedItem(int u) {
            for (int draw = 0; draw < ALL_DRAWS; draw++) {
                int j;
                if (draw < MIXTURE_DRAWS) {
                    double r = random.nextDouble();
                    j = r < config.primaryShare() ? fromTopic(primary[u])
                            : r < config.primaryShare() + config.secondaryShare() ? fromTopic(secondary[u])
                            : popularity.sample(random);
                } else if (draw < POPULARITY_DRAWS) {
                    j = popularity.sample(random);
                } else {
                    j = random.nextInt(config.items());
                }
                if (seen.add(u, j)) {
                    return j;
                }
            }
            return -1;
        }

        private int fromTopic(int t) {
            return topicItems[t][topicTables[t].sample(random)];
        }

        @Override
        public long userId() {
            return user + 1L;
        }

        @Override
        public long movieId() {
            return item + 1L;
        }

        @Override
        public float rating() {
            return stars;
        }

        @Override
        public long timestamp() {
            return time;
        }

        @Override
        public long size() {
            return config.events();
        }
    }
}
