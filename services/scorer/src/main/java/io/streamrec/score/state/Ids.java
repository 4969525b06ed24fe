package io.streamrec.score.state;

/** User and movie ids as record keys: positive decimal integers. */
public final class Ids {
    private Ids() {
    }

    /** The id a key spells, or -1 when it is not a positive decimal integer. */
    public static long parse(String key) {
        if (key == null || key.isEmpty() || key.length() > 19 || key.charAt(0) == '0') {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v < 0 ? -1 : v;
    }
}
