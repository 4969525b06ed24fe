package io.streamrec.score.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatenessTest {
    @Test
    void onlyARatingTakenLaterThanTheThresholdMakesTheScorerBehindAndOnlyForAMoment() throws InterruptedException {
        Lateness lateness = new Lateness(250, Duration.ofMillis(100));
        assertThat(lateness.behind()).as("at start").isFalse();
        lateness.taken(1_000, 1_200);
        assertThat(lateness.behind()).as("200 ms late is busy, not behind").isFalse();
        lateness.taken(1_000, 1_300);
        assertThat(lateness.behind()).as("300 ms late").isTrue();
        Thread.sleep(150);
        assertThat(lateness.behind()).as("no late rating for 150 ms").isFalse();
    }
}
