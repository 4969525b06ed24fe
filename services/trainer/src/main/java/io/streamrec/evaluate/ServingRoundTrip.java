package io.streamrec.evaluate;

import io.streamrec.contract.FactorRow;
import io.streamrec.train.Engine;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.Table;

/**
 * Puts every trained row through the encoding a serving snapshot sends scorers and back, so an offline protocol
 * ranks with what the scorers rank with ({@code evaluate.serving-precision}). The optimizer state stays as it was:
 * only ranking reads the rows afterwards.
 */
final class ServingRoundTrip {
    private static final int CHUNK = 4096;

    private ServingRoundTrip() {
    }

    static void apply(OnlineTrainer trainer, FactorRow.Precision precision) {
        apply(trainer, precision, CHUNK);
    }

    /** @param chunk rows exported per engine call */
    static void apply(OnlineTrainer trainer, FactorRow.Precision precision, int chunk) {
        if (precision == FactorRow.Precision.FLOAT32) {
            return;
        }
        Engine engine = trainer.engine();
        int width = engine.layout().width();
        int stateWidth = engine.layout().stateWidth();
        int[] rows = new int[chunk];
        float[] params = new float[chunk * width];
        float[] state = new float[chunk * stateWidth];
        for (Table table : Table.values()) {
            int size = table == Table.USERS ? trainer.users().size() : trainer.items().size();
            for (int from = 0; from < size; from += chunk) {
                int m = Math.min(chunk, size - from);
                for (int k = 0; k < m; k++) {
                    rows[k] = from + k;
                }
                engine.exportRows(table, rows, m, params, state);
                for (int k = 0; k < m; k++) {
                    byte[] served = precision.encode(0, 0, params, k * width, width, null, 0, 0);
                    System.arraycopy(FactorRow.decode(served).params(), 0, params, k * width, width);
                }
                engine.importRows(table, rows, m, params, state);
            }
        }
    }
}
