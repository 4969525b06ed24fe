package io.streamrec.dataset.movielens;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Rows a reader skipped, with where and why. Every one is counted; the first {@value #KEPT} are kept in full so a
 * corrupt 25M-line file cannot exhaust memory with its own error list.
 */
public final class BadRows {
    static final int KEPT = 1000;

    /**
     * One skipped row.
     *
     * @param file   the file's name
     * @param line   1-based line number in that file
     * @param reason why the row was skipped
     * @param text   the row as read, shortened when long
     */
    public record BadRow(String file, long line, String reason, String text) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + reason + (text.isEmpty() ? "" : " [" + text + "]");
        }
    }

    private final List<BadRow> first = new ArrayList<>();
    private long count;

    /** No bad rows: the source of a generated stream. */
    public static BadRows none() {
        return new BadRows();
    }

    void add(String file, long line, String reason, String text) {
        count++;
        if (first.size() < KEPT) {
            first.add(new BadRow(file, line, reason, text.length() <= 120 ? text : text.substring(0, 117) + "..."));
        }
    }

    /** Every bad row seen, including those not kept. */
    public long count() {
        return count;
    }

    /** The first bad rows, in reading order (at most {@value #KEPT}). */
    public List<BadRow> first() {
        return Collections.unmodifiableList(first);
    }

    /** The first {@code n} bad rows, one per line, and a count of the rest. */
    public String describe(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, first.size()); i++) {
            sb.append("  ").append(first.get(i)).append('\n');
        }
        if (count > n) {
            sb.append("  ... and ").append(String.format("%,d", count - Math.min(n, first.size())))
                    .append(" more\n");
        }
        return sb.toString();
    }
}
