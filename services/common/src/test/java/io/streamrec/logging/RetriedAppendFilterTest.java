package io.streamrec.logging;

import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The services' logging configuration (log4j2.xml, in force in every module's tests) drops what transactions v2's
 * retried refusals log, and nothing else of the same kind: logged here through slf4j, as Kafka logs.
 */
class RetriedAppendFilterTest {
    private static final String APPEND_ERROR = "[ReplicaManager broker=1] Error processing append operation on partition "
            + "XrIN16xaQaSbSSH1u7QVfw:model-checkpoint-items-2";
    private static final String RETRYING = "Got error produce response with correlation id 25 on topic-partition "
            + "model-checkpoint-items-2, retrying (2147483646 attempts left). Error: OUT_OF_ORDER_SEQUENCE_NUMBER";

    private static final String BROKER = "kafka.server.ReplicaManager";
    private static final String SENDER = "org.apache.kafka.clients.producer.internals.Sender";

    private final Warnings warnings = Warnings.capture();

    @AfterEach
    void release() {
        warnings.close();
    }

    /** What reached the screen from this test's two loggers (a library thread's warning meanwhile is not tested). */
    private List<String> shown() {
        return warnings.messagesOf(BROKER, SENDER);
    }

    @Test
    void dropsTheBrokersErrorForABatchRefusedWhileTheTransactionsFirstWriteIsVerified() {
        // The exception's text as Kafka 4.3.1 words it (seen in DemoTest's output).
        LoggerFactory.getLogger(BROKER).error(APPEND_ERROR, new OutOfOrderSequenceException(
                "Invalid sequence number for producer 1 at offset 64 in partition model-checkpoint-items-2: 2 (incoming "
                        + "seq. number). Expected sequence 0 for transactions v2 idempotent producer with no existing state."));

        assertThat(shown()).isEmpty();
    }

    @Test
    void keepsEveryOtherAppendError() {
        LoggerFactory.getLogger(BROKER).error(APPEND_ERROR, new OutOfOrderSequenceException(
                "Out of order sequence number for producer 1 at offset 7 in partition t-0: 9 (incoming seq. number), "
                        + "6 (current end sequence number)"));
        LoggerFactory.getLogger(BROKER).error(APPEND_ERROR,
                new IllegalStateException("disk full"));
        LoggerFactory.getLogger(BROKER).error(APPEND_ERROR);

        assertThat(shown()).containsExactly(APPEND_ERROR, APPEND_ERROR, APPEND_ERROR);
    }

    @Test
    void dropsATransactionalProducersRetryWarningOnlyForOutOfOrderSequences() {
        String transactional = "[Producer clientId=streamrec-trainer-mf, transactionalId=streamrec-trainer-mf] ";
        String idempotent = "[Producer clientId=streamrec-replayer] ";
        LoggerFactory.getLogger(SENDER).warn(transactional + RETRYING);
        LoggerFactory.getLogger(SENDER).warn(idempotent + RETRYING);
        LoggerFactory.getLogger(SENDER).warn(transactional + RETRYING.replace("OUT_OF_ORDER_SEQUENCE_NUMBER",
                "NOT_LEADER_OR_FOLLOWER"));

        assertThat(shown()).containsExactly(idempotent + RETRYING,
                transactional + RETRYING.replace("OUT_OF_ORDER_SEQUENCE_NUMBER", "NOT_LEADER_OR_FOLLOWER"));
    }
}
