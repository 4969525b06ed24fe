package io.streamrec.train;

import java.util.Map;

/**
 * Where the parameters live and how a step is computed. Two implementations share this interface and the same
 * maths: the DJL/PyTorch engine (every model; the only one on a GPU) and the plain-Java engine (mf and gmf, several
 * times faster on a CPU). Vocabulary, sampling and evaluation are outside, shared by both.
 *
 * <p>Rows are addressed by the {@link Vocabulary}'s dense row numbers. A step's cost grows with the rows the batch
 * touches, never with the size of the tables.
 */
public interface Engine extends AutoCloseable {

    /** What runs where, for the start-up log and {@code doctor}, e.g. "java, 2 threads" or "djl pytorch on gpu(0)". */
    String description();

    ModelLayout layout();

    /** Makes room for at least this many user and item rows; new rows get {@link ModelLayout#initRows} values. */
    void ensureRows(int users, int items);

    /**
     * One optimizer step: gather the touched rows, score, loss, gradient, scatter the per-row update.
     *
     * @return the mean loss of the samples before the update (L2 term excluded)
     */
    float step(Samples samples, float learningRate);

    /** The mean loss of the samples, without updating anything (L2 term excluded). */
    float loss(Samples samples);

    /** Raw scores s (before the output sigmoid) of the pairs (users[j], items[j]), j < n, into out[j]. */
    void score(int[] users, int[] items, int n, float[] out);

    /** Raw scores of each of n users against item rows [0, itemCount), into out[j * itemCount + i]. */
    void scoreAll(int[] users, int n, int itemCount, float[] out);

    /**
     * Copies rows out: parameters into params (n × width), optimizer state into state (n × stateWidth), or the
     * parameters alone when state is null (what a serving snapshot needs).
     */
    void exportRows(Table table, int[] rows, int n, float[] params, float[] state);

    /** Overwrites rows with the given parameters and optimizer state (the inverse of {@link #exportRows}). */
    void importRows(Table table, int[] rows, int n, float[] params, float[] state);

    /** Copies of the dense tensors with their optimizer state, by FACTORS.md name. */
    Map<String, DenseTensor> exportDense();

    void importDense(Map<String, DenseTensor> dense);

    @Override
    void close();
}
