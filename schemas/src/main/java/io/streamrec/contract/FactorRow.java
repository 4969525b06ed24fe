package io.streamrec.contract;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One model row in the compact binary layout documented in {@code schemas/FACTORS.md}: a serving row (topics
 * {@code model-user-factors}, {@code model-item-factors}: parameters only, as float16 or int8) or a checkpoint row
 * ({@code model-checkpoint-users}, {@code model-checkpoint-items}: float32 parameters and optimizer state).
 *
 * @param modelVersion the serving snapshot or checkpoint that last wrote the row
 * @param count        ratings trained for this user / of this item so far
 * @param params       the row's parameters (factors, then bias for {@code mf})
 * @param state        the row's optimizer state, empty when not published
 */
public record FactorRow(long modelVersion, int count, float[] params, float[] state) {

    public static final int HEADER_BYTES = 20;
    private static final byte MAGIC_0 = 'S';
    private static final byte MAGIC_1 = 'R';
    private static final byte LAYOUT = 1;
    private static final int MAX_WIDTH = 0xFFFF;
    /** The flags byte (FACTORS.md): optimizer state present, or the parameters' precision. */
    private static final int FLAG_STATE = 1;
    private static final int FLAG_HALF = 2;
    private static final int FLAG_INT8 = 4;
    /**
     * int8 rows: parameters per scale. Blocks keep one large value from coarsening the others; mf's bias (last) has a
     * block of its own when d is a multiple of 32.
     */
    public static final int INT8_BLOCK = 32;

    /**
     * How a row's parameters are written (FACTORS.md): checkpoint rows as float32 with their optimizer state, serving
     * rows as float16 or as int8 in blocks with a float32 scale each.
     */
    public enum Precision {
        FLOAT32, FLOAT16, INT8;

        /** Encodes a row from slices of larger arrays; only float32 rows carry optimizer state. */
        public byte[] encode(long modelVersion, int count, float[] params, int paramsOffset, int width,
                             float[] state, int stateOffset, int stateWidth) {
            if (this != FLOAT32 && stateWidth != 0) {
                throw new IllegalArgumentException(this + " rows carry no optimizer state");
            }
            return switch (this) {
                case FLOAT32 -> FactorRow.encode(modelVersion, count, params, paramsOffset, width, state, stateOffset,
                        stateWidth);
                case FLOAT16 -> encodeHalf(modelVersion, count, params, paramsOffset, width);
                case INT8 -> encodeInt8(modelVersion, count, params, paramsOffset, width);
            };
        }

        /** Bytes of one encoded row, header included. */
        public int bytes(int width, int stateWidth) {
            return HEADER_BYTES + switch (this) {
                case FLOAT32 -> Float.BYTES * (width + stateWidth);
                case FLOAT16 -> Short.BYTES * width;
                case INT8 -> Float.BYTES * ((width + INT8_BLOCK - 1) / INT8_BLOCK) + width;
            };
        }

        private int flags(int stateWidth) {
            return switch (this) {
                case FLOAT32 -> stateWidth > 0 ? FLAG_STATE : 0;
                case FLOAT16 -> FLAG_HALF;
                case INT8 -> FLAG_INT8;
            };
        }

        private static Precision of(byte flags) {
            return switch (flags) {
                case 0, FLAG_STATE -> FLOAT32;
                case FLAG_HALF -> FLOAT16;
                case FLAG_INT8 -> INT8;
                default -> throw new ContractViolation("factor record: unknown flags " + flags);
            };
        }
    }

    public FactorRow {
        if (params.length > MAX_WIDTH || state.length > MAX_WIDTH) {
            throw new IllegalArgumentException("row too wide for the layout: " + params.length + " + " + state.length);
        }
    }

    public byte[] encode() {
        return encode(modelVersion, count, params, 0, params.length, state, 0, state.length);
    }

    /**
     * Encodes a row straight from slices of larger arrays (a trainer's exported tables), without building a
     * FactorRow first.
     */
    public static byte[] encode(long modelVersion, int count, float[] params, int paramsOffset, int width,
                                float[] state, int stateOffset, int stateWidth) {
        ByteBuffer buf = header(Precision.FLOAT32, modelVersion, count, width, stateWidth);
        buf.asFloatBuffer().put(params, paramsOffset, width).put(state, stateOffset, stateWidth);
        return buf.array();
    }

    /** A serving row: the parameters alone, as float16 (flag bit 1), half the bytes of float32. */
    private static byte[] encodeHalf(long modelVersion, int count, float[] params, int paramsOffset, int width) {
        ByteBuffer buf = header(Precision.FLOAT16, modelVersion, count, width, 0);
        for (int k = 0; k < width; k++) {
            buf.putShort(HalfFloat.fromFloat(params[paramsOffset + k]));
        }
        return buf.array();
    }

    /**
     * A serving row with the parameters as int8 (flag bit 2): in blocks of {@link #INT8_BLOCK}, each a float32 scale
     * (the block's largest magnitude / 127) followed by its values divided by the scale, rounded. 97 bytes for mf at
     * d = 64 against 150 as float16; each parameter off by at most half its block's scale.
     */
    private static byte[] encodeInt8(long modelVersion, int count, float[] params, int paramsOffset, int width) {
        ByteBuffer buf = header(Precision.INT8, modelVersion, count, width, 0);
        for (int from = 0; from < width; from += INT8_BLOCK) {
            int to = Math.min(width, from + INT8_BLOCK);
            float largest = 0;
            for (int k = from; k < to; k++) {
                largest = Math.max(largest, Math.abs(params[paramsOffset + k]));
            }
            float scale = largest / 127;
            buf.putFloat(scale);
            for (int k = from; k < to; k++) {
                buf.put(scale == 0 ? 0 : (byte) Math.max(-127, Math.min(127, Math.round(params[paramsOffset + k] / scale))));
            }
        }
        return buf.array();
    }

    /** A buffer of the row's size with its header written, positioned at the parameters. */
    private static ByteBuffer header(Precision precision, long modelVersion, int count, int width, int stateWidth) {
        if (width > MAX_WIDTH || stateWidth > MAX_WIDTH) {
            throw new IllegalArgumentException("row too wide for the layout: " + width + " + " + stateWidth);
        }
        return ByteBuffer.allocate(precision.bytes(width, stateWidth)).order(ByteOrder.LITTLE_ENDIAN)
                .put(MAGIC_0).put(MAGIC_1).put(LAYOUT).put((byte) precision.flags(stateWidth))
                .putLong(modelVersion).putInt(count).putShort((short) width).putShort((short) stateWidth);
    }

    /** @throws ContractViolation when the bytes are not a layout-1 factor record */
    public static FactorRow decode(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_BYTES) {
            throw new ContractViolation("factor record shorter than its " + HEADER_BYTES + "-byte header");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.get() != MAGIC_0 || buf.get() != MAGIC_1) {
            throw new ContractViolation("factor record: bad magic");
        }
        byte layout = buf.get();
        if (layout != LAYOUT) {
            throw new ContractViolation("factor record: unknown layout version " + layout);
        }
        byte flags = buf.get();
        long version = buf.getLong();
        int count = buf.getInt();
        int width = Short.toUnsignedInt(buf.getShort());
        int stateWidth = Short.toUnsignedInt(buf.getShort());
        Precision precision = Precision.of(flags);
        if (flags != FLAG_STATE && stateWidth != 0) {
            throw new ContractViolation("factor record: state width " + stateWidth + " without the state flag");
        }
        int expected = precision.bytes(width, stateWidth);
        if (bytes.length != expected) {
            throw new ContractViolation("factor record: " + bytes.length + " bytes, header promises " + expected);
        }
        float[] params = new float[width];
        float[] state = new float[stateWidth];
        switch (precision) {
            case FLOAT32 -> buf.asFloatBuffer().get(params).get(state);
            case FLOAT16 -> {
                for (int k = 0; k < width; k++) {
                    params[k] = HalfFloat.toFloat(buf.getShort());
                }
            }
            case INT8 -> {
                for (int from = 0; from < width; from += INT8_BLOCK) {
                    float scale = buf.getFloat();
                    for (int k = from; k < Math.min(width, from + INT8_BLOCK); k++) {
                        params[k] = buf.get() * scale;
                    }
                }
            }
        }
        return new FactorRow(version, count, params, state);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FactorRow r && r.modelVersion == modelVersion && r.count == count
                && Arrays.equals(r.params, params) && Arrays.equals(r.state, state);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(modelVersion) + count) + Arrays.hashCode(params);
    }

    @Override
    public String toString() {
        return "FactorRow[v" + modelVersion + ", count=" + count + ", width=" + params.length + ", state=" + state.length + "]";
    }
}
