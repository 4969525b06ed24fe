package io.streamrec.score.state;

/** How a list was ranked: the {@code source} of recommendation.schema.json. */
public enum Source {
    MODEL("model"), FOLD_IN("fold-in"), CLUSTER("cluster"), POPULARITY("popularity");

    final String id;

    Source(String id) {
        this.id = id;
    }
}
