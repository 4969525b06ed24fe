package io.streamrec.kafka;

/**
 * No Kafka broker answered at the bootstrap address: nothing a retry inside the process would fix, so commands
 * report it in one line with the next step instead of a stack trace.
 */
public final class KafkaUnreachableException extends IllegalStateException {
    private final String bootstrapServers;

    public KafkaUnreachableException(String bootstrapServers, String reason, Throwable cause) {
        super("no Kafka broker at " + bootstrapServers + " (" + reason + ")", cause);
        this.bootstrapServers = bootstrapServers;
    }

    /** The address that was tried, as configured ({@code kafka.bootstrap.servers}). */
    public String bootstrapServers() {
        return bootstrapServers;
    }
}
