package io.streamrec.train.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Host-to-device uploads (row numbers, targets, per-row scalars) through one reusable direct buffer.
 *
 * <p>Why: {@code NDManager.create(float[])} copies into a fresh direct ByteBuffer, which the JVM frees only when a
 * GC runs its Cleaner; at a few uploads per step that is native memory growing between collections. On the CPU,
 * DJL's create(ByteBuffer) wraps the buffer without copying (torch::from_blob) and keeps a reference to it, so an
 * uploaded array must be closed before its bytes are reused: the engine resets the staging area only when it opens
 * a new batch, after the previous batch manager (and every array made from these bytes) has been closed.
 */
final class Staging {
    private static final int ALIGN = 64;

    private ByteBuffer arena = ByteBuffer.allocateDirect(1 << 20);
    private int used;

    /** Reuses the whole area; every array made from it earlier must be closed. */
    void reset() {
        used = 0;
    }

    /** Row numbers rows[from, from + n) as an int64 vector (the index type gathers take without converting). */
    NDArray rows(NDManager manager, int[] rows, int from, int n) {
        ByteBuffer bytes = take(8L * n);
        LongBuffer out = bytes.asLongBuffer();
        for (int k = 0; k < n; k++) {
            out.put(k, rows[from + k]);
        }
        return manager.create(bytes, new Shape(n), DataType.INT64);
    }

    NDArray floats(NDManager manager, float[] values, int from, Shape shape) {
        int n = Math.toIntExact(shape.size());
        ByteBuffer bytes = take(4L * n);
        FloatBuffer out = bytes.asFloatBuffer();
        out.put(values, from, n);
        return manager.create(bytes, shape, DataType.FLOAT32);
    }

    /** A 0-dimensional float32 array, which broadcasts against anything. */
    NDArray scalar(NDManager manager, float value) {
        ByteBuffer bytes = take(4);
        bytes.putFloat(0, value);
        return manager.create(bytes, new Shape(), DataType.FLOAT32);
    }

    private ByteBuffer take(long size) {
        int bytes = Math.toIntExact(size);
        if (used + bytes > arena.capacity()) {
            // Arrays made earlier in this batch keep the old area alive through their slices.
            arena = ByteBuffer.allocateDirect(Math.max(2 * arena.capacity(), bytes + ALIGN));
            used = 0;
        }
        ByteBuffer slice = arena.slice(used, bytes).order(ByteOrder.nativeOrder());
        used = (used + bytes + ALIGN - 1) / ALIGN * ALIGN;
        return slice;
    }
}
