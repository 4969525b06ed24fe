package io.streamrec.contract;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that breaks the wire contract. {@link #getMessage()} is the human-readable reason that goes into the
 * dead-letter header. Stack traces are not captured: bad input is routine, not exceptional, at stream rates.
 */
public final class ContractViolation extends SerializationException {
    public ContractViolation(String reason) {
        super(reason);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
