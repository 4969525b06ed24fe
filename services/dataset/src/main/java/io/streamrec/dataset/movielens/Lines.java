package io.streamrec.dataset.movielens;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The lines of a file as byte ranges of one reused buffer, with their 1-based numbers. Ratings are parsed
 * straight from these bytes: at 25M lines, decoding every line into a String first costs more than the parsing.
 * Lines end at LF; a trailing CR is dropped, and so is a UTF-8 byte-order mark at the start of the file.
 */
final class Lines implements Closeable {
    private final InputStream in;
    private final String file;
    private byte[] buf = new byte[1 << 20];
    private int pos;
    private int limit;
    private boolean eof;

    /** The current line is {@code bytes()[start, end)}. */
    int start;
    int end;
    long number;

    Lines(Path path) throws IOException {
        this.in = Files.newInputStream(path);
        this.file = path.getFileName().toString();
    }

    String file() {
        return file;
    }

    byte[] bytes() {
        return buf;
    }

    boolean next() throws IOException {
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    take(i, i + 1);
                    return true;
                }
            }
            if (eof) {
                if (pos < limit) {
                    take(limit, limit);
                    return true;
                }
                return false;
            }
            fill();
        }
    }

    /** The current line as text, for error reports; bytes that are not UTF-8 show as replacement characters. */
    String text() {
        return new String(buf, start, end - start, StandardCharsets.UTF_8);
    }

    private void take(int lineEnd, int next) {
        start = pos;
        end = lineEnd > start && buf[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
        pos = next;
        if (++number == 1 && end - start >= 3 && buf[start] == (byte) 0xEF && buf[start + 1] == (byte) 0xBB
                && buf[start + 2] == (byte) 0xBF) {
            start += 3;
        }
    }

    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
