package io.streamrec.dataset.movielens;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a line (a byte range) into fields at a separator of one or more bytes, without copying. With CSV quoting
 * on, a field wrapped in double quotes may hold the separator and {@code ""} for a quote, as in movies.csv's
 * {@code "American President, The (1995)"}.
 */
final class Fields {
    private final byte[] separator;
    private final boolean csvQuotes;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] line;
    private int[] starts = new int[32];
    private int[] ends = new int[32];
    private boolean[] quoted = new boolean[32];
    private int count;
    private boolean unbalanced;

    Fields(String separator, boolean csvQuotes) {
        this.separator = separator.getBytes(StandardCharsets.US_ASCII);
        this.csvQuotes = csvQuotes;
    }

    /** Splits {@code line[from, to)}; returns the number of fields. */
    int split(byte[] line, int from, int to) {
        this.line = line;
        count = 0;
        unbalanced = false;
        int i = from;
        while (true) {
            if (csvQuotes && i < to && line[i] == '"') {
                int j = i + 1;
                while (true) {
                    if (j >= to) {
                        unbalanced = true;
                        add(i + 1, to, true);
                        return count;
                    }
                    if (line[j] == '"') {
                        if (j + 1 < to && line[j + 1] == '"') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                add(i + 1, j, true);
                int after = j + 1;
                if (after == to) {
                    return count;
                }
                if (!separatorAt(after, to)) {
                    unbalanced = true;
                    return count;
                }
                i = after + separator.length;
                if (i == to) {
                    add(i, i, false);
                    return count;
                }
                continue;
            }
            int j = i;
            while (j < to && !separatorAt(j, to)) {
                j++;
            }
            add(i, j, false);
            if (j == to) {
                return count;
            }
            i = j + separator.length;
        }
    }

    /**
     * Where each named column is in a header line just split; names match case-insensitively, other columns
     * are allowed.
     *
     * @throws IllegalArgumentException when a name is missing: without its header a file cannot be read
     */
    int[] columns(Lines header, String... names) {
        int[] column = new int[names.length];
        for (int c = 0; c < names.length; c++) {
            column[c] = -1;
            for (int i = 0; i < count; i++) {
                if (text(i).strip().equalsIgnoreCase(names[c])) {
                    column[c] = i;
                }
            }
            if (column[c] < 0) {
                throw new IllegalArgumentException(header.file() + ": the header must name the columns "
                        + String.join(", ", names) + "; it is '" + header.text() + "'");
            }
        }
        return column;
    }

    /** True when a quoted field did not close properly; the split is then unreliable. */
    boolean malformedQuotes() {
        return unbalanced;
    }

    int count() {
        return count;
    }

    int start(int field) {
        return starts[field];
    }

    int end(int field) {
        return ends[field];
    }

    byte[] line() {
        return line;
    }

    /**
     * The field as text: UTF-8 when its bytes are valid UTF-8, otherwise ISO-8859-1. GroupLens wrote ml-100k and
     * ml-1m in Latin-1 and the newer sets in UTF-8; a Latin-1 title such as "Café" is never valid UTF-8 (an
     * accented byte must be followed by a continuation byte), so the rule reads both without losing a row.
     */
    String text(int field) {
        int s = starts[field];
        int len = ends[field] - s;
        String raw;
        try {
            raw = utf8.decode(ByteBuffer.wrap(line, s, len)).toString();
        } catch (CharacterCodingException e) {
            raw = new String(line, s, len, StandardCharsets.ISO_8859_1);
        }
        return quoted[field] ? raw.replace("\"\"", "\"") : raw;
    }

    private boolean separatorAt(int i, int to) {
        if (i + separator.length > to) {
            return false;
        }
        for (int k = 0; k < separator.length; k++) {
            if (line[i + k] != separator[k]) {
                return false;
            }
        }
        return true;
    }

    private void add(int s, int e, boolean q) {
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
            quoted = Arrays.copyOf(quoted, count * 2);
        }
        starts[count] = s;
        ends[count] = e;
        quoted[count] = q;
        count++;
    }
}
