package io.streamrec.dataset.movielens;

import io.streamrec.config.Settings;
import io.streamrec.console.ProgressBar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * MovieLens archives fetched, verified and unpacked into a cache directory, one subdirectory per dataset.
 *
 * <p>A known dataset ({@link KnownDataset}), by name or as a zip of that name from a path or URL, must match its
 * published size and SHA-256 before it is unpacked. Any other zip is accepted on structure: once unpacked it must
 * hold a MovieLens layout. Unpacking rejects an archive whose entries would land outside the target directory
 * (zip-slip), and happens in a scratch directory renamed into place, so an interrupted run leaves no half
 * dataset behind. A dataset directory carries a marker with the archive's SHA-256; when it is there and matches,
 * nothing is fetched again.
 */
public final class DatasetCache {
    static final String MARKER = ".streamrec-verified";
    private final Path dir;
    private final URI mirror;
    private final Duration timeout;
    private final PrintStream log;
    private final boolean progress;

    /**
     * @param dir      the cache directory, created when missing
     * @param mirror   base URL of the GroupLens archives (ends with '/')
     * @param timeout  longest a download may take
     * @param log      where progress messages go (stderr in the command)
     * @param progress whether to draw a progress bar for downloads
     */
    public DatasetCache(Path dir, URI mirror, Duration timeout, PrintStream log, boolean progress) {
        this.dir = dir;
        this.mirror = mirror.toString().endsWith("/") ? mirror : URI.create(mirror + "/");
        this.timeout = timeout;
        this.log = log;
        this.progress = progress;
    }

    /** From data.cache-dir, data.mirror and data.download-timeout-seconds. */
    public static DatasetCache fromSettings(Settings settings, PrintStream log, boolean progress) {
        return new DatasetCache(settings.path("data.cache-dir"), URI.create(settings.text("data.mirror")),
                Duration.ofSeconds(settings.longInteger("data.download-timeout-seconds")), log, progress);
    }

    /**
     * Makes a dataset available and returns the directory holding its files (ready for {@link MovieLens#read}).
     *
     * @param what a known name (ml-latest-small, ml-25m, ml-20m, ml-1m, ml-100k), the path of a .zip, or a
     *             {@code file:}, {@code http:} or {@code https:} URL of one
     * @throws IllegalArgumentException when the archive fails verification, is unsafe, or holds no dataset
     * @throws UncheckedIOException     when it cannot be fetched or written
     */
    public Path fetch(String what) {
        try {
            Files.createDirectories(dir);
            Optional<KnownDataset> named = KnownDataset.named(what);
            if (named.isPresent()) {
                return fetchKnown(named.get(), mirror.resolve(named.get().zipName()));
            }
            URI uri = uriOf(what);
            String fileName = fileName(uri);
            if (!fileName.toLowerCase(Locale.ROOT).endsWith(".zip")) {
                throw new IllegalArgumentException("'" + what + "' is neither a known dataset (" + KnownDataset.names()
                        + ") nor a .zip path or URL");
            }
            Optional<KnownDataset> byFile = KnownDataset.ofZip(fileName);
            if (byFile.isPresent()) {
                return fetchKnown(byFile.get(), uri);
            }
            return fetchOther(fileName.substring(0, fileName.length() - 4), uri);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch " + what + ": " + e.getMessage(), e);
        }
    }

    private Path fetchKnown(KnownDataset d, URI source) throws IOException {
        Path target = dir.resolve(d.id);
        if (d.sha256.equals(marker(target))) {
            log.println(d.id + ": verified copy in " + target);
            return MovieLens.locate(target);
        }
        Path zip = isLocal(source) ? Path.of(source) : dir.resolve(d.zipName());
        String sha = Files.isRegularFile(zip) ? sha256(zip) : null;
        if (!isLocal(source) && !d.sha256.equals(sha)) {
            download(source, zip);
            sha = sha256(zip);
        }
        long size = Files.size(zip);
        if (size != d.bytes || !sha.equals(d.sha256)) {
            if (!isLocal(source)) {
                Files.deleteIfExists(zip);
            }
            throw new IllegalArgumentException(source + " is not the published " + d.zipName() + ": expected "
                    + d.bytes + " bytes with SHA-256 " + d.sha256 + ", got " + size + " bytes with SHA-256 " + sha
                    + "; nothing was unpacked");
        }
        log.println(d.id + ": size and SHA-256 match the published archive; unpacking into " + target);
        return unpackInto(zip, target, sha);
    }

    private Path fetchOther(String name, URI source) throws IOException {
        Path target = dir.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_"));
        Path zip;
        if (isLocal(source)) {
            zip = Path.of(source);
        } else {
            zip = dir.resolve(target.getFileName() + ".zip");
            download(source, zip);
        }
        String sha = sha256(zip);
        if (sha.equals(marker(target))) {
            log.println(name + ": unpacked copy of the same archive in " + target);
            return MovieLens.locate(target);
        }
        log.println(name + ": not a GroupLens archive streamrec knows, so no published checksum; checking that it"
                + " holds a MovieLens dataset");
        return unpackInto(zip, target, sha);
    }

    /** Unpacks into a scratch directory, checks a dataset is there, then moves it into place with its marker. */
    private Path unpackInto(Path zip, Path target, String sha) throws IOException {
        Path scratch = Files.createTempDirectory(dir, ".unpack-");
        try {
            unpack(zip, scratch);
            Path home;
            try {
                home = MovieLens.locate(scratch);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(zip.getFileName() + " holds no MovieLens dataset; expected one of: "
                        + Layout.expectations());
            }
            Files.writeString(scratch.resolve(MARKER), sha + "\n");
            deleteTree(target);
            Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
            return target.resolve(scratch.relativize(home));
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * Extracts every entry of a zip under {@code dest}.
     *
     * @throws IllegalArgumentException when an entry's name would put it outside {@code dest} (an absolute path
     *                                  or ".." segments: zip-slip); nothing after it is extracted
     */
    static void unpack(Path zip, Path dest) throws IOException {
        Path root = dest.toAbsolutePath().normalize();
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            for (ZipEntry e : Collections.list(zf.entries())) {
                Path out = root.resolve(e.getName()).normalize();
                if (!out.startsWith(root)) {
                    throw new IllegalArgumentException(zip.getFileName() + ": entry '" + e.getName()
                            + "' would be written outside the target directory; the archive is refused");
                }
                if (out.equals(root)) {
                    continue;
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    try (InputStream in = zf.getInputStream(e)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    private void download(URI source, Path zip) throws IOException {
        Path part = zip.resolveSibling(zip.getFileName() + ".part");
        log.println("downloading " + source);
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpRequest request = HttpRequest.newBuilder(source).timeout(timeout).GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP " + response.statusCode() + " from " + source);
                }
                long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                try (OutputStream out = Files.newOutputStream(part);
                     ProgressBar bar = ProgressBar.start(zip.getFileName().toString(), "B", length, log, progress)) {
                    byte[] buf = new byte[1 << 16];
                    long total = 0;
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        out.write(buf, 0, n);
                        bar.set(total += n);
                    }
                }
            }
            Files.move(part, zip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download of " + source + " interrupted", e);
        } catch (IOException e) {
            // The HTTP client's connection errors often carry no message at all.
            throw new IOException("download of " + source + " failed: "
                    + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()), e);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String marker(Path target) throws IOException {
        Path m = target.resolve(MARKER);
        return Files.isRegularFile(m) ? Files.readString(m).strip() : null;
    }

    private static URI uriOf(String what) {
        String lower = what.toLowerCase(Locale.ROOT);
        if (lower.startsWith("file:") || lower.startsWith("http:") || lower.startsWith("https:")) {
            try {
                return new URI(what);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + what + "' is not a valid URL: " + e.getMessage());
            }
        }
        Path p = Path.of(what).toAbsolutePath();
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("'" + what + "' is neither a known dataset (" + KnownDataset.names()
                    + ") nor an existing file");
        }
        return p.toUri();
    }

    private static boolean isLocal(URI uri) {
        return "file".equalsIgnoreCase(uri.getScheme());
    }

    private static String fileName(URI uri) {
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            throw new IllegalArgumentException(uri + " does not name a file");
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (DirectoryNotEmptyException racing) {
                    throw new IOException("cannot clear " + root + ": another process is writing there", racing);
                }
            }
        }
    }
}
