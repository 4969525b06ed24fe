package io.streamrec.score;

/** What caused a list to be computed: the {@code trigger} of recommendation.schema.json. */
enum Trigger {
    RATING("rating"), SNAPSHOT("snapshot"), REQUEST("request");

    final String id;

    Trigger(String id) {
        this.id = id;
    }
}
