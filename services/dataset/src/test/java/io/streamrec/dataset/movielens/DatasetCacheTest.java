package io.streamrec.dataset.movielens;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetCacheTest {
    private static final Path SHARED_ZIP =
            Path.of("../../../shared/data/movielens/ml-latest-small/ml-latest-small.zip").toAbsolutePath().normalize();
    private static final String RATINGS_DAT = "1::1193::5::978300760\n2::1193::4::978300761\n";
    private static final String MOVIES_DAT = "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n";

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream messages = new ByteArrayOutputStream();

    @Test
    void verifiesAndUnpacksThePublishedMlLatestSmallFromAPathAFileUrlAndAFileMirror() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(SHARED_ZIP), "../shared/data is not on this machine");

        Path fromPath = cache("by-path").fetch(SHARED_ZIP.toString());
        Path fromUrl = cache("by-url").fetch(SHARED_ZIP.toUri().toString());
        Path fromMirror = new DatasetCache(tmp.resolve("by-mirror"), SHARED_ZIP.getParent().toUri(), Duration.ofMinutes(1),
                log(), false).fetch("ml-latest-small");

        for (Path dir : List.of(fromPath, fromUrl, fromMirror)) {
            assertThat(dir.getFileName().toString()).isEqualTo("ml-latest-small");
            MovieLensData data = MovieLens.read(dir);
            assertThat(data.ratings().size()).isEqualTo(100_836);
            assertThat(data.movies()).hasSize(9_742);
        }
        assertThat(messages.toString()).contains("size and SHA-256 match the published archive");
    }

    @Test
    void aSecondFetchOfAVerifiedDatasetReusesTheCache() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(SHARED_ZIP), "../shared/data is not on this machine");
        DatasetCache cache = cache("cache");
        Path first = cache.fetch(SHARED_ZIP.toString());
        FileTime unpacked = Files.getLastModifiedTime(first.resolve("ratings.csv"));
        Files.setLastModifiedTime(first.resolve("ratings.csv"), FileTime.fromMillis(unpacked.toMillis() - 60_000));

        Path second = cache.fetch("ml-latest-small");

        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(second.resolve("ratings.csv")).toMillis())
                .isEqualTo(unpacked.toMillis() - 60_000);
        assertThat(messages.toString()).contains("ml-latest-small: verified copy in");
    }

    @Test
    void acceptsAZipOfAnotherNameOnStructureAndReusesItsUnpackedCopy() throws IOException {
        Path zip = zip("my-ratings.zip", Map.of("my-ratings/ratings.dat", RATINGS_DAT, "my-ratings/movies.dat", MOVIES_DAT));
        DatasetCache cache = cache("cache");

        Path dir = cache.fetch(zip.toString());
        Path again = cache.fetch(zip.toUri().toString());

        assertThat(dir).isEqualTo(tmp.resolve("cache/my-ratings/my-ratings"));
        assertThat(MovieLens.read(dir).ratings().size()).isEqualTo(2);
        assertThat(again).isEqualTo(dir);
        assertThat(messages.toString()).contains("no published checksum").contains("unpacked copy of the same archive");
    }

    @Test
    void refusesAKnownDatasetWhoseChecksumDoesNotMatchAndUnpacksNothing() throws IOException {
        Path zip = zip("ml-100k.zip", Map.of("ml-100k/ratings.dat", RATINGS_DAT, "ml-100k/movies.dat", MOVIES_DAT));
        DatasetCache cache = cache("cache");

        assertThatThrownBy(() -> cache.fetch(zip.toString())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not the published ml-100k.zip")
                .hasMessageContaining("50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229")
                .hasMessageContaining("nothing was unpacked");
        assertThat(entries(tmp.resolve("cache"))).isEmpty();
        assertThat(zip).exists();
    }

    @Test
    void refusesAnArchiveWhoseEntriesEscapeTheTargetDirectory() throws IOException {
        for (String evil : List.of("../escaped.txt", "data/../../escaped.txt", tmp.resolve("escaped.txt").toString())) {
            Map<String, String> entries = new LinkedHashMap<>();
            entries.put("data/ratings.dat", RATINGS_DAT);
            entries.put("data/movies.dat", MOVIES_DAT);
            entries.put(evil, "gotcha");
            Path zip = zip("slip.zip", entries);

            assertThatThrownBy(() -> cache("cache").fetch(zip.toString())).as(evil)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("would be written outside the target directory");
            assertThat(tmp.resolve("escaped.txt")).doesNotExist();
            assertThat(tmp.resolve("cache/../escaped.txt").normalize()).doesNotExist();
            assertThat(entries(tmp.resolve("cache"))).as("no scratch or partial directory is left").isEmpty();
        }
    }

    @Test
    void refusesAnArchiveWithoutADataset() throws IOException {
        Path zip = zip("photos.zip", Map.of("photos/cat.jpg", "meow"));

        assertThatThrownBy(() -> cache("cache").fetch(zip.toString())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("photos.zip holds no MovieLens dataset");
        assertThat(entries(tmp.resolve("cache"))).isEmpty();
    }

    @Test
    void namesTheKnownDatasetsForAnythingElse() {
        assertThatThrownBy(() -> cache("cache").fetch("ml-5m")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ml-latest-small, ml-25m, ml-20m, ml-1m, ml-100k");
        assertThatThrownBy(() -> cache("cache").fetch("https://example.org/data/")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not name a file");
    }

    @Test
    void downloadsOverHttpVerifiesAndDeletesARejectedDownload() throws IOException {
        Path good = zip("served.zip", Map.of("served/ratings.dat", RATINGS_DAT, "served/movies.dat", MOVIES_DAT));
        Path impostor = zip("ml-1m.zip", Map.of("ml-1m/ratings.dat", RATINGS_DAT, "ml-1m/movies.dat", MOVIES_DAT));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        for (Path file : List.of(good, impostor)) {
            server.createContext("/movielens/" + file.getFileName(), exchange -> {
                byte[] body = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
        }
        server.start();
        try {
            URI mirror = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/movielens/");
            DatasetCache cache = new DatasetCache(tmp.resolve("cache"), mirror, Duration.ofMinutes(1), log(), false);

            Path dir = cache.fetch(mirror.resolve("served.zip").toString());
            assertThat(MovieLens.read(dir).ratings().size()).isEqualTo(2);

            assertThatThrownBy(() -> cache.fetch("ml-1m")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not the published ml-1m.zip");
            assertThat(tmp.resolve("cache/ml-1m.zip")).doesNotExist();
            assertThat(tmp.resolve("cache/ml-1m")).doesNotExist();

            assertThatThrownBy(() -> cache.fetch(mirror.resolve("missing.zip").toString()))
                    .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("HTTP 404");
            assertThat(entries(tmp.resolve("cache"))).containsExactlyInAnyOrder("served", "served.zip");
        } finally {
            server.stop(0);
        }
    }

    private DatasetCache cache(String name) {
        return new DatasetCache(tmp.resolve(name), URI.create("https://files.grouplens.org/datasets/movielens/"),
                Duration.ofMinutes(1), log(), false);
    }

    private PrintStream log() {
        return new PrintStream(messages, true, StandardCharsets.UTF_8);
    }

    private Path zip(String name, Map<String, String> entries) throws IOException {
        Path zip = tmp.resolve("zips").resolve(name);
        Files.createDirectories(zip.getParent());
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return zip;
    }

    private static List<String> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
