package io.streamrec.train;

import java.util.Random;

/** Batches and row reads for engine tests. */
public final class TestSamples {
    private TestSamples() {
    }

    /**
     * n samples over a handful of rows, users and items repeating so duplicate rows are exercised. Targets: every
     * third sample a positive (implicit), or half stars 0.5 to 5 (explicit).
     */
    public static Samples samples(int n, int users, int items, boolean explicit, long seed) {
        Random r = new Random(seed);
        Samples s = new Samples();
        for (int j = 0; j < n; j++) {
            float target = explicit ? 0.5f * (1 + r.nextInt(10)) : (j % 3 == 0 ? 1f : 0f);
            s.add(r.nextInt(users), r.nextInt(items), target);
        }
        return s;
    }

    /** The parameters of one row. */
    public static float[] params(Engine e, Table table, int row) {
        float[] p = new float[e.layout().width()];
        e.exportRows(table, new int[]{row}, 1, p, new float[e.layout().stateWidth()]);
        return p;
    }

    /** Parameters (n × width) followed by optimizer state (n × stateWidth) of rows [0, n). */
    public static float[] rowsAndState(Engine e, Table table, int n) {
        int w = e.layout().width();
        int sw = e.layout().stateWidth();
        int[] rows = java.util.stream.IntStream.range(0, n).toArray();
        float[] params = new float[n * w];
        float[] state = new float[n * sw];
        e.exportRows(table, rows, n, params, state);
        float[] out = java.util.Arrays.copyOf(params, params.length + state.length);
        System.arraycopy(state, 0, out, params.length, state.length);
        return out;
    }
}
