package io.streamrec.score.state;

/** What caused a list to be computed: the {@code trigger} of recommendation.schema.json. */
public enum Trigger {
    RATING("rating"), SNAPSHOT("snapshot"), REQUEST("request");

    final String id;

    Trigger(String id) {
        this.id = id;
    }
}
