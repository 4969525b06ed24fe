package io.streamrec.score.stream;

import io.streamrec.score.state.Ids;
import io.streamrec.score.state.ScorerState;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.Movie;
import io.streamrec.contract.Topics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Global: keeps titles and genres from {@code movies}. */
public final class MovieProcessor implements Processor<String, byte[], Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(MovieProcessor.class);
    private final ScorerState state;

    MovieProcessor(ScorerState state) {
        this.state = state;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long movieId = Ids.parse(record.key());
        try {
            if (movieId < 0) {
                throw new ContractViolation("key '" + record.key() + "' is not a movieId");
            }
            if (record.value() == null) {
                state.catalog.remove(movieId);
                return;
            }
            Movie movie = Topics.MOVIES.valueSerde().deserializer().deserialize(Topics.MOVIES.name(), record.value());
            if (movie.movieId() != movieId) {
                throw new ContractViolation("key " + movieId + " does not match movieId " + movie.movieId());
            }
            state.catalog.put(movie);
        } catch (ContractViolation e) {
            state.metrics.invalid(ScorerMetrics.Input.MOVIES);
            log.warn("skipping a movie: {}", e.getMessage());
        }
    }
}
