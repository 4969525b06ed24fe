package io.streamrec.contract;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** float32 arrays as little-endian bytes in base64, the encoding of dense weights in snapshot manifests. */
final class FloatsBase64 {
    private FloatsBase64() {
    }

    static String encode(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return Base64.getEncoder().encodeToString(buf.array());
    }

    static float[] decode(String base64) {
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() % Float.BYTES != 0) {
            throw new ContractViolation("dense weights: " + buf.remaining() + " bytes is not a whole number of float32");
        }
        float[] values = new float[buf.remaining() / Float.BYTES];
        buf.asFloatBuffer().get(values);
        return values;
    }
}
