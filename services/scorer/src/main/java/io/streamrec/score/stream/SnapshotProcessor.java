package io.streamrec.score.stream;

import io.streamrec.score.state.ScorerState;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.score.model.ModelSpec;
import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Global: takes each manifest of {@code model-snapshots} as the spec to score with. */
public final class SnapshotProcessor implements Processor<String, byte[], Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(SnapshotProcessor.class);
    private final ScorerState state;

    SnapshotProcessor(ScorerState state) {
        this.state = state;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        SnapshotManifest manifest;
        ModelSpec spec;
        try {
            manifest = Topics.SNAPSHOTS.valueSerde().deserializer().deserialize(Topics.SNAPSHOTS.name(), record.value());
            spec = ModelSpec.of(manifest);
        } catch (ContractViolation | IllegalArgumentException e) {
            state.metrics.invalid(ScorerMetrics.Input.SNAPSHOTS);
            log.warn("skipping a snapshot manifest: {}", e.getMessage());
            return;
        }
        state.items.applyManifest(manifest, spec);
        log.debug("model {} v{} ({}, d={})", spec.model, spec.version, spec.kind.id(), spec.dim);
    }
}
