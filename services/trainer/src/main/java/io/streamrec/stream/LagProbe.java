package io.streamrec.stream;

import io.streamrec.contract.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The consumer-lag gauge, asked of the broker once a second: the committed end of each assigned ratings partition
 * minus the next offset the model has not trained. The consumer's own lag is only updated when it polls, so while the
 * trainer stalls (the consumer then waits to hand over a batch) it kept the value from before the stall: 0 through an
 * 8 s stall in one test while ratings piled up. This probe keeps asking, stall or not; it reads NaN when it cannot
 * know (no partition assigned, or the broker did not answer).
 */
final class LagProbe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LagProbe.class);

    private final Admin admin;
    private final Supplier<Map<Integer, Long>> untrainedFrom;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lag-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile double lag = Double.NaN;

    /**
     * @param admin         the service's admin client (its {@link io.streamrec.kafka.KafkaReachability}'s), which
     *                      this probe borrows and does not close
     * @param untrainedFrom per assigned partition, the first offset not yet trained
     */
    LagProbe(Admin admin, Supplier<Map<Integer, Long>> untrainedFrom) {
        this.admin = admin;
        this.untrainedFrom = untrainedFrom;
    }

    void start() {
        clock.scheduleWithFixedDelay(this::probe, 0, 1, TimeUnit.SECONDS);
    }

    /** Ratings in the log not yet trained, as of the last probe; NaN when unknown. */
    double lag() {
        return lag;
    }

    private void probe() {
        Map<Integer, Long> from = untrainedFrom.get();
        if (from.isEmpty()) {
            lag = Double.NaN;
            return;
        }
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        from.keySet().forEach(p -> ends.put(new TopicPartition(Topics.RATINGS.name(), p), OffsetSpec.latest()));
        try {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> answer = admin
                    .listOffsets(ends, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs(5_000))
                    .all().get(6, TimeUnit.SECONDS);
            long behind = 0;
            for (var e : answer.entrySet()) {
                behind += Math.max(0, e.getValue().offset() - from.get(e.getKey().partition()));
            }
            lag = behind;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            lag = Double.NaN;
            log.debug("lag probe failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        clock.shutdownNow();
    }
}
