package io.streamrec.score.stream;

import io.streamrec.score.state.Ids;
import io.streamrec.score.state.ScorerState;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.FactorRow;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Global: patches the dense item matrix with each row of {@code model-item-factors}. */
public final class ItemRowProcessor implements Processor<String, byte[], Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(ItemRowProcessor.class);
    private final ScorerState state;

    ItemRowProcessor(ScorerState state) {
        this.state = state;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long movieId = Ids.parse(record.key());
        FactorRow row;
        try {
            if (movieId < 0) {
                throw new ContractViolation("key '" + record.key() + "' is not a movieId");
            }
            row = record.value() == null ? null : FactorRow.decode(record.value());
        } catch (ContractViolation e) {
            state.metrics.invalid(ScorerMetrics.Input.ITEM_FACTORS);
            log.warn("skipping an item factor row: {}", e.getMessage());
            return;
        }
        state.items.applyItemRow(movieId, row);
    }
}
