package io.streamrec.train;

/**
 * A dense (non-embedding) weight tensor with its optimizer state, row-major, named as in FACTORS.md
 * ({@code out.weight}, {@code mlp.0.bias}, ...).
 */
public record DenseTensor(int[] shape, float[] values, float[] state) {
    public int size() {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }
}
