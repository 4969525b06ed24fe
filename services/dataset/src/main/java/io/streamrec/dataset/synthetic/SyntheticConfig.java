package io.streamrec.dataset.synthetic;

import io.streamrec.config.Settings;

import java.time.Duration;
import java.time.Instant;

/**
 * The knobs of {@link SyntheticRatings}; see its class comment for what each one does to the stream.
 *
 * @param users              user ids are 1..users
 * @param items              movie ids are 1..items
 * @param events             how many ratings the stream holds
 * @param seed               everything (structure and stream) is a function of the config, this seed included
 * @param topics             latent taste topics K
 * @param popularityExponent a in popularity(rank) ~ (rank + c)^-a
 * @param popularityOffset   c: flattens the head, as real catalogues are flatter there than a pure Zipf law
 * @param primaryShare       probability that an event draws from the user's primary topic
 * @param secondaryShare     probability that it draws from the user's secondary topic; the rest is drawn by
 *                           popularity alone
 * @param activityExponent   shape of the Pareto law of per-user activity (smaller = heavier tail)
 * @param activityCap        most active user's activity weight over the least active's
 * @param start              event time of the stream's start
 * @param span               about how long the stream lasts in event time
 */
public record SyntheticConfig(int users, int items, long events, long seed, int topics, double popularityExponent,
                              double popularityOffset, double primaryShare, double secondaryShare,
                              double activityExponent, double activityCap, Instant start, Duration span) {

    /** Contract bound on event time (rating.schema.json): the stream must end before it. */
    private static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");
    private static final Instant EARLIEST = Instant.parse("1995-01-01T00:00:00Z");

    public SyntheticConfig {
        require(users >= 1, "users must be at least 1, got " + users);
        require(items >= 2, "items must be at least 2, got " + items);
        require(events >= 0, "events must not be negative, got " + events);
        require(events <= (long) users * items / 2, "events (" + events + ") must be at most half of users x items ("
                + (long) users * items + "): no user rates an item twice");
        require(topics >= 1 && topics <= items, "topics must be between 1 and items, got " + topics);
        require(topics <= Short.MAX_VALUE, "topics must be at most " + Short.MAX_VALUE);
        require(popularityExponent >= 0, "popularityExponent must not be negative");
        require(popularityOffset >= 0, "popularityOffset must not be negative");
        require(primaryShare >= 0 && secondaryShare >= 0 && primaryShare + secondaryShare <= 1,
                "primaryShare and secondaryShare must be non-negative and sum to at most 1");
        require(activityExponent > 0, "activityExponent must be positive");
        require(activityCap >= 1, "activityCap must be at least 1");
        require(!start.isBefore(EARLIEST) && start.plus(span.multipliedBy(2)).isBefore(LATEST),
                "start .. start + 2 x span must lie within " + EARLIEST + " .. " + LATEST);
        require(!span.isNegative(), "span must not be negative");
    }

    /**
     * MovieLens-like defaults for a catalogue of this size: 20 topics (fewer for tiny catalogues), popularity
     * (rank + 50)^-1 whose head share of events matches ml-latest-small's and ml-25m's (the most rated movie takes
     * about 0.3 % of all ratings), 70 % primary / 20 % secondary topic / 10 % popularity alone, Pareto(1.5)
     * activity capped at 100x, five years of events from 2015-01-01.
     */
    public static SyntheticConfig of(int users, int items, long events, long seed) {
        return new SyntheticConfig(users, items, events, seed, Math.max(1, Math.min(20, items / 20)), 1.0,
                Math.min(50, items / 100.0), 0.7, 0.2, 1.5, 100, Instant.parse("2015-01-01T00:00:00Z"),
                Duration.ofDays(5 * 365 + 1));
    }

    /** The defaults with the topic count and popularity exponent of the settings (section "Data and replay"). */
    public static SyntheticConfig of(int users, int items, long events, long seed, Settings settings) {
        SyntheticConfig defaults = of(users, items, events, seed);
        return defaults.withTopics(Math.min(items, settings.integer("synthetic.topics")))
                .withPopularity(settings.decimal("synthetic.popularity-exponent"), defaults.popularityOffset);
    }

    public SyntheticConfig withTopics(int k) {
        return new SyntheticConfig(users, items, events, seed, k, popularityExponent, popularityOffset, primaryShare,
                secondaryShare, activityExponent, activityCap, start, span);
    }

    public SyntheticConfig withPopularity(double exponent, double offset) {
        return new SyntheticConfig(users, items, events, seed, topics, exponent, offset, primaryShare,
                secondaryShare, activityExponent, activityCap, start, span);
    }

    public SyntheticConfig withActivity(double exponent, double cap) {
        return new SyntheticConfig(users, items, events, seed, topics, popularityExponent, popularityOffset,
                primaryShare, secondaryShare, exponent, cap, start, span);
    }

    public SyntheticConfig withEvents(long n) {
        return new SyntheticConfig(users, items, n, seed, topics, popularityExponent, popularityOffset, primaryShare,
                secondaryShare, activityExponent, activityCap, start, span);
    }

    public SyntheticConfig withSeed(long s) {
        return new SyntheticConfig(users, items, events, s, topics, popularityExponent, popularityOffset,
                primaryShare, secondaryShare, activityExponent, activityCap, start, span);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("synthetic stream: " + message);
        }
    }
}
