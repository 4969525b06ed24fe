package io.streamrec.dataset.movielens;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.dataset.RatingLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads a MovieLens ratings file of any layout into a time-ordered {@link RatingLog}. Rows that would break the
 * ratings contract (wrong field count, ids that are not positive integers, stars off the half-star scale, a time
 * outside the schema's range) are skipped and reported with their line numbers; they never stop the read.
 */
final class RatingsReader {
    private static final JsonNode SCHEMA = JsonSchemas.RATING.document().get("properties");
    private static final double MIN_STARS = SCHEMA.get("rating").get("minimum").asDouble();
    private static final double MAX_STARS = SCHEMA.get("rating").get("maximum").asDouble();
    private static final double STAR_STEP = SCHEMA.get("rating").get("multipleOf").asDouble();
    private static final long MIN_TIME = SCHEMA.get("timestamp").get("minimum").asLong();
    private static final long MAX_TIME = SCHEMA.get("timestamp").get("maximum").asLong();
    private static final String[] COLUMNS = {"userId", "movieId", "rating", "timestamp"};
    private static final long NOT_A_TIME = Long.MIN_VALUE;

    private RatingsReader() {
    }

    static RatingLog read(Path file, Layout layout, BadRows bad) throws IOException {
        RatingLog.Builder log = RatingLog.builder((int) Math.min(Integer.MAX_VALUE - 16, Files.size(file) / 20 + 16));
        Fields fields = new Fields(layout.ratingsSeparator, layout.csv);
        int[] column = {0, 1, 2, 3};
        int width = 4;
        try (Lines lines = new Lines(file)) {
            if (layout.csv) {
                if (!lines.next()) {
                    return log.build();
                }
                fields.split(lines.bytes(), lines.start, lines.end);
                width = fields.count();
                column = fields.columns(lines, COLUMNS);
            }
            while (lines.next()) {
                if (lines.end == lines.start) {
                    continue;
                }
                String problem = parse(lines, fields, width, column, log);
                if (problem != null) {
                    bad.add(lines.file(), lines.number, problem, lines.text());
                }
            }
        }
        return log.build();
    }

    /** Adds the current line's rating to the log, or returns why it cannot. */
    private static String parse(Lines lines, Fields f, int width, int[] column, RatingLog.Builder log) {
        int n = f.split(lines.bytes(), lines.start, lines.end);
        if (f.malformedQuotes()) {
            return "unbalanced quotes";
        }
        if (n != width) {
            return "expected " + width + " fields, found " + n;
        }
        byte[] b = f.line();
        long user = positiveInteger(b, f.start(column[0]), f.end(column[0]));
        if (user <= 0) {
            return "userId '" + f.text(column[0]) + "' is not a positive integer";
        }
        long movie = positiveInteger(b, f.start(column[1]), f.end(column[1]));
        if (movie <= 0) {
            return "movieId '" + f.text(column[1]) + "' is not a positive integer";
        }
        double stars = decimal(b, f.start(column[2]), f.end(column[2]));
        if (Double.isNaN(stars)) {
            return "rating '" + f.text(column[2]) + "' is not a number";
        }
        if (stars < MIN_STARS || stars > MAX_STARS || Math.abs(stars / STAR_STEP - Math.rint(stars / STAR_STEP)) > 1e-9) {
            return "rating " + f.text(column[2]) + " is off the scale " + MIN_STARS + " to " + MAX_STARS
                    + " in steps of " + STAR_STEP;
        }
        long millis = epochMillis(b, f.start(column[3]), f.end(column[3]));
        if (millis == NOT_A_TIME) {
            return "timestamp '" + f.text(column[3]) + "' is neither epoch seconds nor YYYY-MM-DD HH:MM:SS";
        }
        if (millis < MIN_TIME || millis > MAX_TIME) {
            return "timestamp " + f.text(column[3]) + " (" + Instant.ofEpochMilli(millis) + ") is outside "
                    + Instant.ofEpochMilli(MIN_TIME) + " to " + Instant.ofEpochMilli(MAX_TIME);
        }
        log.add(user, movie, (float) stars, millis);
        return null;
    }

    /** The digits as a number, or -1 when the field is empty, not all digits, zero, or too long. */
    static long positiveInteger(byte[] b, int s, int e) {
        if (e <= s || e - s > 18) {
            return -1;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v == 0 ? -1 : v;
    }

    /** A plain decimal such as 4, 4.0 or 3.5; NaN for anything else. */
    static double decimal(byte[] b, int s, int e) {
        long mantissa = 0;
        int digits = 0;
        int fraction = -1;
        for (int i = s; i < e; i++) {
            byte c = b[i];
            if (c == '.' && fraction < 0) {
                fraction = 0;
            } else if (c >= '0' && c <= '9' && digits < 15) {
                mantissa = mantissa * 10 + (c - '0');
                digits++;
                if (fraction >= 0) {
                    fraction++;
                }
            } else {
                return Double.NaN;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        return fraction <= 0 ? mantissa : mantissa / Math.pow(10, fraction);
    }

    /**
     * Epoch milliseconds from epoch seconds (GroupLens' files) or from "YYYY-MM-DD HH:MM:SS" read as UTC (Kaggle's
     * ml-20m, which pandas wrote from the same seconds); {@link #NOT_A_TIME} for anything else.
     */
    static long epochMillis(byte[] b, int s, int e) {
        long seconds = positiveInteger(b, s, e);
        if (seconds > 0 && e - s <= 12) {
            return seconds * 1000;
        }
        if (e - s != 19 || b[s + 4] != '-' || b[s + 7] != '-' || (b[s + 10] != ' ' && b[s + 10] != 'T')
                || b[s + 13] != ':' || b[s + 16] != ':') {
            return NOT_A_TIME;
        }
        int year = digits(b, s, 4);
        int month = digits(b, s + 5, 2);
        int day = digits(b, s + 8, 2);
        int hour = digits(b, s + 11, 2);
        int minute = digits(b, s + 14, 2);
        int second = digits(b, s + 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) {
            return NOT_A_TIME;
        }
        try {
            long days = LocalDate.of(year, month, day).toEpochDay();
            return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L;
        } catch (DateTimeException invalidDate) {
            return NOT_A_TIME;
        }
    }

    private static int digits(byte[] b, int s, int n) {
        int v = 0;
        for (int i = s; i < s + n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }
}
