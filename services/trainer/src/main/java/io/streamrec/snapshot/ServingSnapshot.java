package io.streamrec.snapshot;

import io.streamrec.contract.SnapshotManifest;

import java.util.List;

/**
 * What one serving transaction writes: the rows that are news to the scorers (parameters only, float16 or int8) and the
 * manifest scoring needs (configuration and dense weights, without optimizer state). No consumer offsets: serving
 * snapshots are for freshness, not recovery ({@link Checkpoint}).
 */
public record ServingSnapshot(SnapshotManifest manifest, List<CapturedRows> rows) {
}
