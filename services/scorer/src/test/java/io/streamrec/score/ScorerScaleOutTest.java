package io.streamrec.score;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.config.Settings;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Rating;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scale-out: two scorer instances in separate processes, one application id, share the partitions and answer
 * queries for each other's users; when one is killed (SIGKILL, as a crash), the other takes over its partitions
 * with their state restored from the changelogs, and every user's ratings keep producing lists that leave out
 * everything the user rated, including what the dead instance had recorded.
 */
class ScorerScaleOutTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int USERS = 60;
    private final List<Process> processes = new ArrayList<>();
    private static final String TOKEN = "scale-out-token";
    private final HttpClient http = HttpClient.newHttpClient();

    private record Instance(Process process, String url) {
    }

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void twoInstancesShareTheWorkAndOneCarriesOnWithAllUsersWhenTheOtherIsKilled(@TempDir Path dir) throws Exception {
        Settings settings = kafka.settings();
        PlantedWorld world = new PlantedWorld(8, 30, 4);
        Map<Long, float[]> users = new HashMap<>();
        Set<Integer> partitions = new HashSet<>();
        for (long u = 1; u <= USERS; u++) {
            users.put(u, world.mfUser((int) (u % 4)));
            partitions.add(partitionOf(u));
        }
        assertThat(partitions).hasSize(Topics.USER_PARTITIONS);
        try (SnapshotPublisher publisher = new SnapshotPublisher(settings); ListReader reader = new ListReader(settings)) {
            publisher.movies(world.movies());
            publisher.snapshot(PlantedWorld.manifest("mf", 1, world.dim, world.items(), USERS, Map.of(), false),
                    world.mfItems(), users, 0);

            Process pa = launch(dir, "a");
            Process pb = launch(dir, "b");
            Instance a = awaitReady(pa, logOf("a"));
            Instance b = awaitReady(pb, logOf("b"));
            awaitSharing(a, b);
            Set<Long> listed = new HashSet<>();
            reader.await(r -> listed.add(r.list().userId()) && listed.size() == USERS, Duration.ofSeconds(60),
                    "for every user after the snapshot");

            // Each user rates one movie; each gets a list without it, from whichever instance owns them.
            Map<Long, Set<Long>> rated = new HashMap<>();
            rateAndAwait(publisher, reader, world, rated, 0);

            // Either instance answers for any user: the other's users are fetched from it (with the token).
            assertThat(http.send(HttpRequest.newBuilder(URI.create(a.url() + "/users/1/recommendations")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("without the token").isEqualTo(401);
            for (long u = 1; u <= USERS; u += 7) {
                for (Instance i : List.of(a, b)) {
                    HttpResponse<String> r = get(i.url() + "/users/" + u + "/recommendations");
                    assertThat(r.statusCode()).as("user %d from %s", u, i.url()).isEqualTo(200);
                    JsonNode list = JsonSchemas.MAPPER.readTree(r.body());
                    assertThat(list.get("userId").asLong()).isEqualTo(u);
                }
            }

            a.process().destroyForcibly().waitFor();
            rateAndAwait(publisher, reader, world, rated, 1);
            JsonNode health = JsonSchemas.MAPPER.readTree(get(b.url() + "/health").body());
            assertThat(health.get("activeTasks").asInt()).isEqualTo(Topics.USER_PARTITIONS);
        }
    }

    /** Every user rates the movie at position `round` of their genre; waits for each user's list reflecting it. */
    private static void rateAndAwait(SnapshotPublisher publisher, ListReader reader, PlantedWorld world,
                                     Map<Long, Set<Long>> rated, int round) {
        List<Rating> ratings = new ArrayList<>();
        for (long u = 1; u <= USERS; u++) {
            long movie = world.movie((int) (u % 4), round);
            ratings.add(new Rating(u, movie, 4, System.currentTimeMillis()));
            rated.computeIfAbsent(u, x -> new HashSet<>()).add(movie);
        }
        long[] producedAt = publisher.rate(ratings);
        Map<Long, Long> due = new HashMap<>();
        for (int i = 0; i < ratings.size(); i++) {
            due.put(ratings.get(i).userId(), producedAt[i]);
        }
        Set<Long> done = new HashSet<>();
        reader.await(r -> {
            Recommendation list = r.list();
            Long at = due.get(list.userId());
            if (list.trigger().equals("rating") && at != null && list.triggeredAt() >= at) {
                Set<Long> ids = list.items().stream().map(Recommendation.Item::movieId).collect(Collectors.toSet());
                assertThat(ids).as("user %d's list", list.userId()).doesNotContainAnyElementsOf(rated.get(list.userId()));
                done.add(list.userId());
            }
            return done.size() == USERS;
        }, Duration.ofSeconds(90), "for every user's rating in round " + round);
    }

    private Process launch(Path dir, String name) throws IOException {
        Path log = logOf(name);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                ScorerProcess.class.getName(),
                "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "scorer.application-id=scorer-scale-out-test",
                "scorer.state-dir=" + dir.resolve(name),
                "scorer.http.port=0",
                "metrics.port=-1",
                // Queries need the token; an instance forwarding to the owner of a user must send it along.
                "http.auth.token=" + TOKEN,
                // A killed instance is noticed after the session timeout: 6 s is the broker's minimum.
                "kafka.streams.session.timeout.ms=6000",
                "kafka.streams.heartbeat.interval.ms=1000"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** Each instance's output, kept under target/ for a look after a failure. */
    private static Path logOf(String name) {
        return Path.of("target", "scale-out-scorer-" + name + ".log");
    }

    private static Instance awaitReady(Process p, Path log) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("READY ")) {
                    return new Instance(p, line.substring("READY ".length()).trim());
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("scorer " + log.getFileName() + " exited:\n" + Files.readString(log));
            }
            sleep(100);
        }
        throw new AssertionError("scorer " + log.getFileName() + " did not start:\n" + Files.readString(log));
    }

    /** Waits until both instances run and each owns some of the partitions. */
    private void awaitSharing(Instance a, Instance b) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            int[] tasks = new int[2];
            boolean running = true;
            int i = 0;
            for (Instance instance : List.of(a, b)) {
                HttpResponse<String> r = get(instance.url() + "/health");
                JsonNode health = JsonSchemas.MAPPER.readTree(r.body());
                running &= r.statusCode() == 200;
                tasks[i++] = health.get("activeTasks").asInt();
            }
            if (running && tasks[0] > 0 && tasks[1] > 0 && tasks[0] + tasks[1] == Topics.USER_PARTITIONS) {
                return;
            }
            sleep(200);
        }
        throw new AssertionError("the two instances never shared the partitions");
    }

    private static int partitionOf(long userId) {
        return Utils.toPositive(Utils.murmur2(Long.toString(userId).getBytes(StandardCharsets.UTF_8))) % Topics.USER_PARTITIONS;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
