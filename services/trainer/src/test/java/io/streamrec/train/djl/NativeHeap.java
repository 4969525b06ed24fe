package io.streamrec.train.djl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;

/** glibc's malloc statistics, through JNA (which DJL brings): the native memory a process holds. */
final class NativeHeap {
    private NativeHeap() {
    }

    /** Bytes in use: small chunks from the arenas plus large chunks mmapped on their own. */
    static long inUse() {
        Info info = C.LIB.mallinfo2();
        return info.uordblks + info.hblkhd;
    }

    interface C extends Library {
        C LIB = Native.load("c", C.class);

        Info.ByValue mallinfo2();
    }

    /** struct mallinfo2 (glibc 2.33+): ten size_t counters. */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost"})
    public static class Info extends Structure {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;

        public static class ByValue extends Info implements Structure.ByValue {
        }
    }
}
