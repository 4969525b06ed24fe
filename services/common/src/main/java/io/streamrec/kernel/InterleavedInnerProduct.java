package io.streamrec.kernel;

/**
 * The inner products of one query with a block of {@link #lanes()} rows stored interleaved: parameter k of the
 * block's row l at {@code block[base + k * lanes() + l]}. One SIMD register then holds parameter k of every row in
 * the block, so the products build up with one fused multiply-add per parameter and no horizontal sum, where
 * {@link InnerProduct} over item-major rows pays a sum across the register for every row. The layout of whoever
 * stores such blocks follows {@link #lanes()}. Blocks of bytes (int8 codes, scaled by the caller through the query)
 * read a quarter of the memory: a scan of blocks that are not in cache is bound by memory, not by the multiply-adds.
 */
public interface InterleavedInnerProduct {

    /** Rows per block: the SIMD register's floats, or a fixed count for the plain loops. */
    int lanes();

    /** {@code out[l] = Σ_k query[k] · block[base + k * lanes() + l]} for k &lt; n, l &lt; lanes(). */
    void dots(float[] query, float[] block, int base, int n, float[] out);

    /** The same over int8 codes: {@code out[l] = Σ_k query[k] · block[base + k * lanes() + l]}. */
    void dots(float[] query, byte[] block, int base, int n, float[] out);

    /** The fastest implementation this JVM can run. */
    static InterleavedInnerProduct best() {
        return VectorApi.fastest(InterleavedInnerProduct.class, "io.streamrec.kernel.VectorInterleavedInnerProduct",
                ScalarInterleavedInnerProduct::new);
    }
}
