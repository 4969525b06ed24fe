package io.streamrec.bench;

import io.streamrec.config.Settings;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SearchBenchmarkTest {

    @Test
    void timesRetrievalBesideTheFullScanAndJudgesItsRecall() {
        // A catalogue of 128 partitions of 32, small enough for a test, with bench score's shape of model.
        Settings s = Settings.defaults().with("bench.score.items", 4096).with("bench.score.dim", 16)
                .with("bench.search.users", 200).with("bench.search.rounds", 1)
                .with("scorer.retrieval.partition-size", 32).with("scorer.retrieval.probes", 16);
        StringWriter text = new StringWriter();
        SearchBenchmark.Result r = SearchBenchmark.run(s, new PrintWriter(text));

        assertThat(r.recall()).as("retrieval finds the full scan's top 10").isGreaterThan(0.95).isLessThanOrEqualTo(1);
        assertThat(java.util.List.of(r.scanHot(), r.scanCold(), r.retrievalHot(), r.retrievalCold()))
                .allSatisfy(us -> assertThat(us).isPositive());
        assertThat(text.toString()).contains("4,096 items, d = 16 (mf), 200 users", "partitions of 32, 16 probes",
                "full scan (exact)", "retrieval + exact re-ranking", "recall@10 of retrieval against the full scan");
    }

    @Test
    void theGraphIndexIsMeasuredTheSameWay() {
        Settings s = Settings.defaults().with("bench.score.items", 2048).with("bench.score.dim", 16)
                .with("bench.search.users", 100).with("bench.search.rounds", 1)
                .with("scorer.retrieval.index", "graph");
        SearchBenchmark.Result r = SearchBenchmark.run(s, new PrintWriter(new StringWriter()));
        assertThat(r.recall()).isGreaterThan(0.9);
    }

    @Test
    void sizesAreChecked() {
        assertThatThrownBy(() -> SearchBenchmark.run(Settings.defaults().with("bench.search.users", 0),
                new PrintWriter(new StringWriter()))).hasMessageContaining("must be positive");
    }
}
