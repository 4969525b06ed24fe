package io.streamrec.logging;

import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * Drops the broker's ERROR for a transactional producer's batch that transactions v2 refused only because the
 * transaction's first write to the partition was still being verified: an {@link OutOfOrderSequenceException}
 * whose message says the producer has no state there yet (KAFKA-18202). The producer retries the batch and nothing
 * is lost (docs/findings.md), yet the broker logs "Error processing append operation on partition ...", which
 * names no cause: only the exception does, and Log4j's own filters read messages, not exceptions. Every other
 * append error still shows.
 */
@Plugin(name = "RetriedAppendFilter", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE)
public final class RetriedAppendFilter extends AbstractFilter {
    /** The words of the broker's refusal (Kafka 4.3.1, ProducerAppendInfo). */
    private static final String NOT_YET_VERIFIED = "for transactions v2 idempotent producer with no existing state";

    private RetriedAppendFilter() {
        super(Result.DENY, Result.NEUTRAL);
    }

    @PluginFactory
    public static RetriedAppendFilter create() {
        return new RetriedAppendFilter();
    }

    @Override
    public Result filter(LogEvent event) {
        Throwable thrown = event.getThrown();
        boolean retried = thrown instanceof OutOfOrderSequenceException && thrown.getMessage() != null
                && thrown.getMessage().contains(NOT_YET_VERIFIED);
        return retried ? onMatch : onMismatch;
    }
}
