package io.streamrec.score.stream;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The scorer's production exception handler: a record too large to send is skipped (logged), anything else fails
 * the stream thread as Kafka Streams' default does.
 *
 * <p>Why not the default for size too: a failed thread is replaced ({@code REPLACE_THREAD}) and its task restarts
 * from the last commit, which processes the same input and produces the same oversized record again, so one record
 * stalls its partition forever. What the scorer sends is bounded by construction (a top-K list, a rerouted rating's
 * canonical JSON); this is the guard for what that reasoning missed. Losing one list costs little: the user's next
 * rating or snapshot sends a new one.
 */
public final class SkipRecordsTooLarge implements ProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(SkipRecordsTooLarge.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RecordTooLargeException) {
            log.warn("skipped a record to {} too large to send ({} bytes of value, from {}-{}@{}): {}", record.topic(),
                    record.value() == null ? 0 : record.value().length, context.topic(), context.partition(),
                    context.offset(), exception.getMessage());
            return Response.resume();
        }
        return Response.fail();
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
