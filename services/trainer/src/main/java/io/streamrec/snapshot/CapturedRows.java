package io.streamrec.snapshot;

import io.streamrec.contract.FactorRow;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Rows copied out of the engine on the training thread, to be encoded and sent on a publisher's thread, so training
 * goes on meanwhile. Serving rows carry the parameters as float16 or int8; checkpoint rows the float32 parameters
 * and the optimizer state (FACTORS.md).
 *
 * @param topic   where the rows go
 * @param version the serving snapshot's or checkpoint's number, stamped on every row
 * @param ids     the rows' userIds or movieIds (the record keys)
 * @param counts  ratings trained per row
 * @param params  n × width parameters, row after row
 * @param state   n × stateWidth optimizer state (checkpoints), or empty
 * @param precision how the rows are written: float32 with state (checkpoints), float16 or int8 (serving)
 */
public record CapturedRows(String topic, long version, long[] ids, int[] counts, float[] params, int width,
                           float[] state, int stateWidth, FactorRow.Precision precision) {

    public int size() {
        return ids.length;
    }

    /** The encoded records, in row order. */
    public void forEachRecord(Consumer<ProducerRecord<byte[], byte[]>> each) {
        for (int k = 0; k < ids.length; k++) {
            byte[] key = Long.toString(ids[k]).getBytes(StandardCharsets.UTF_8);
            byte[] value = precision.encode(version, counts[k], params, k * width, width, state, k * stateWidth,
                    stateWidth);
            each.accept(new ProducerRecord<>(topic, key, value));
        }
    }

    /** Bytes of the encoded values, keys excluded. */
    public long valueBytes() {
        return (long) ids.length * precision.bytes(width, stateWidth);
    }
}
