package io.streamrec.logging;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The services' logging configuration (log4j2.xml) lets a burst of the Kafka clients' reconnection warnings through
 * and then only a few, as through a broker outage; their errors, and other loggers' warnings, always pass.
 */
class KafkaReconnectWarningsTest {
    private static final String NETWORK_CLIENT = "org.apache.kafka.clients.NetworkClient";
    private static final String SENDER = "org.apache.kafka.clients.producer.internals.Sender";

    @Test
    void aFloodOfReconnectionWarningsIsThinnedButErrorsAndOtherWarningsPass() {
        try (Warnings warnings = Warnings.capture()) {
            for (int i = 0; i < 100; i++) {
                LoggerFactory.getLogger(NETWORK_CLIENT).warn("[Consumer clientId=c" + i + ", groupId=g] Connection to node"
                        + " -1 (localhost/127.0.0.1:9092) could not be established. Node may not be available.");
            }
            LoggerFactory.getLogger(NETWORK_CLIENT).error("[Producer clientId=p] an error");
            LoggerFactory.getLogger(SENDER).warn("[Producer clientId=p] another logger's warning");

            assertThat(warnings.messagesOf(NETWORK_CLIENT)).as("the burst of 10, and at most one more")
                    .hasSizeBetween(1, 12).contains("[Producer clientId=p] an error");
            assertThat(warnings.messagesOf(SENDER)).containsExactly("[Producer clientId=p] another logger's warning");
        }
    }
}
