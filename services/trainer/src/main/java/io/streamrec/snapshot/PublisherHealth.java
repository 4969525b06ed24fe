package io.streamrec.snapshot;

import org.apache.kafka.common.KafkaException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How one publisher (serving snapshots or checkpoints) is doing, updated at every attempt: a failed attempt shows at
 * once, before the publisher retries, so the metrics and the health endpoint never report a failing publisher as
 * healthy while it tries again or until the trainer gives up.
 */
public final class PublisherHealth {
    private final String kind;
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError;

    PublisherHealth(String kind) {
        this.kind = kind;
    }

    void failed(String what, KafkaException e) {
        failures.incrementAndGet();
        lastError = what + ": " + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")");
    }

    void succeeded() {
        lastError = null;
    }

    /** "serving" or "checkpoint". */
    public String kind() {
        return kind;
    }

    /** Failed attempts since the start. */
    public long failures() {
        return failures.get();
    }

    /** Whether the latest attempt failed. */
    public boolean failing() {
        return lastError != null;
    }

    /** The latest attempt's failure, or null when it succeeded. */
    public String lastError() {
        return lastError;
    }
}
