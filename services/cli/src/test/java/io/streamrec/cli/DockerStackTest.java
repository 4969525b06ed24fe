package io.streamrec.cli;

import io.streamrec.score.state.ScorerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.config.Settings;
import io.streamrec.metrics.Metrics;
import io.streamrec.score.ScorerApp;
import io.streamrec.stream.StreamingTrainer;
import io.streamrec.testkit.KafkaBroker;
import io.streamrec.train.TrainerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/ (Compose file, Prometheus scrape config, Grafana provisioning and dashboard) against what it describes: the
 * metric names the trainer and the scorer really serve (scraped from their endpoints on a real broker), the CLI's
 * commands and settings, the docker profile and the Kafka clients' version. No Docker engine is needed.
 */
class DockerStackTest {
    private static final Path DOCKER = Path.of("../../docker");
    /** Series Prometheus adds to every scrape target itself. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
            "scrape_samples_post_metric_relabeling", "scrape_series_added");
    /** Labels Prometheus attaches to every series of a target. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    /** Every series the two services serve: metric name to the label sets seen. */
    private static final Map<String, List<Map<String, String>>> served = new HashMap<>();

    private static final Map<String, Object> compose = yaml(DOCKER.resolve("compose.yaml"));
    private static final Map<String, Object> prometheus = yaml(DOCKER.resolve("prometheus/prometheus.yml"));
    private static final Settings dockerProfile = Settings.load("docker", null, Map.of("HOSTNAME", "scorer-1"), Map.of());

    @BeforeAll
    static void scrapeTheServices(@TempDir Path tmp) throws Exception {
        Settings s = kafka.settings().with("metrics.host", "127.0.0.1").with("metrics.port", 0)
                .with("trainer.device", "cpu").with("scorer.http.port", 0).with("scorer.state-dir", tmp.resolve("scorer"));
        // As TrainCommand and ScoreCommand start them: each service with its own registry and endpoint.
        try (Metrics trainerMetrics = Metrics.start(s, "streamrec-trainer");
             StreamingTrainer trainer = StreamingTrainer.start(s, trainerMetrics.registry());
             Metrics scorerMetrics = Metrics.start(s, "streamrec-scorer");
             ScorerApp scorer = ScorerApp.start(s, scorerMetrics)) {
            assertThat(trainer.isRunning()).isTrue();
            for (Metrics m : List.of(trainerMetrics, scorerMetrics)) {
                parseExposition(get("http://127.0.0.1:" + m.port() + "/metrics"));
            }
        }
    }

    @Test
    void dashboardQueriesOnlySeriesTheServicesServe() {
        Set<String> jobs = prometheusJobs().keySet();
        List<String> problems = new ArrayList<>();
        int queries = 0;
        for (JsonNode target : dashboardTargets()) {
            String expr = target.path("expr").asText();
            queries++;
            List<Selector> selectors = Selector.parse(expr);
            if (selectors.isEmpty()) {
                problems.add("no metric in: " + expr);
            }
            Set<String> labels = new HashSet<>(TARGET_LABELS);
            for (Selector sel : selectors) {
                List<Map<String, String>> series = served.get(sel.metric());
                if (series == null && !PROMETHEUS_SERIES.contains(sel.metric())) {
                    problems.add("'" + sel.metric() + "' is served by neither service, in: " + expr);
                    continue;
                }
                sel.equalities().forEach((label, value) -> {
                    boolean ok = label.equals("job") ? jobs.contains(value)
                            : label.equals("instance") || series != null && series.stream().anyMatch(l -> value.equals(l.get(label)));
                    if (!ok) {
                        problems.add("no series " + sel.metric() + "{" + label + "=\"" + value + "\"}, in: " + expr);
                    }
                });
                if (series != null) {
                    series.forEach(l -> labels.addAll(l.keySet()));
                }
            }
            Matcher legend = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}").matcher(target.path("legendFormat").asText());
            while (legend.find()) {
                if (!labels.contains(legend.group(1))) {
                    problems.add("legend label '" + legend.group(1) + "' is on no series of: " + expr);
                }
            }
        }
        assertThat(queries).as("dashboard queries").isGreaterThanOrEqualTo(20);
        assertThat(problems).isEmpty();
        // The panels the issue asks for, by what they query.
        String all = dashboardTargets().stream().map(t -> t.path("expr").asText()).collect(Collectors.joining("\n"));
        assertThat(all).contains("streamrec_trainer_events_trained_total", "streamrec_trainer_loss",
                "streamrec_trainer_prequential_hr10", "streamrec_trainer_prequential_popularity_hr10",
                "streamrec_trainer_prequential_ndcg10", "streamrec_scorer_rating_latency_seconds_bucket",
                "streamrec_trainer_consumer_lag", "streamrec_trainer_snapshot_age_seconds",
                "streamrec_scorer_rescored_total", "streamrec_trainer_events_invalid_total");
    }

    @Test
    void dashboardIsWellFormedAndUsesTheProvisionedDatasource() throws IOException {
        JsonNode dashboard = dashboard();
        Map<String, Object> datasources = yaml(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yaml"));
        Set<String> uids = list(datasources.get("datasources")).stream().map(d -> (String) map(d).get("uid")).collect(Collectors.toSet());
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("unique id of panel " + title).isTrue();
            JsonNode grid = panel.path("gridPos");
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as("width of " + title).isBetween(1, 24);
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(uids).as("datasource of " + title).contains(panel.path("datasource").path("uid").asText());
            assertThat(panel.path("targets")).as("queries of " + title).isNotEmpty();
            Set<String> refIds = new HashSet<>();
            for (JsonNode t : panel.path("targets")) {
                assertThat(refIds.add(t.path("refId").asText())).as("unique refId in " + title).isTrue();
                assertThat(uids).as("datasource of a query in " + title).contains(t.path("datasource").path("uid").asText());
            }
        }
        // Grafana loads the dashboard from where compose.yaml mounts docker/grafana/dashboards.
        Map<String, Object> grafana = service("grafana");
        String dashboards = mountTarget(grafana, "./grafana/dashboards");
        Map<String, Object> providers = yaml(DOCKER.resolve("grafana/provisioning/dashboards/streamrec.yaml"));
        assertThat(map(map(list(providers.get("providers")).get(0)).get("options")).get("path")).isEqualTo(dashboards);
        assertThat(mountTarget(grafana, "./grafana/provisioning")).isEqualTo("/etc/grafana/provisioning");
        assertThat(environment(grafana).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")).isEqualTo(dashboards + "/streamrec.json");
        URI prometheusUrl = URI.create((String) map(list(datasources.get("datasources")).get(0)).get("url"));
        assertThat(services()).containsKey(prometheusUrl.getHost());
        assertThat(prometheusUrl.getPort()).isEqualTo(9090);
    }

    @Test
    void prometheusScrapesEveryServiceThatServesMetrics() {
        int port = dockerProfile.integer("metrics.port");
        assertThat(dockerProfile.text("metrics.host")).as("reachable from the Prometheus container").isEqualTo("0.0.0.0");
        Map<String, Set<String>> servers = new LinkedHashMap<>();   // service -> names it answers to
        services().forEach((name, value) -> {
            List<Object> command = list(map(value).get("command"));
            if (isStreamrec(map(value)) && !command.isEmpty() && Set.of("train", "score", "replay").contains(command.get(0))) {
                Set<String> names = new TreeSet<>(List.of(name));
                names.addAll(aliases(map(value)));
                servers.put(name, names);
            }
        });
        assertThat(servers).containsKeys("trainer", "trainer-gpu", "scorer", "replayer");
        Set<String> scraped = new TreeSet<>();
        prometheusJobs().forEach((job, targets) -> targets.forEach(hostPort -> {
            String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
            assertThat(hostPort).as("job " + job).endsWith(":" + port);
            assertThat(servers.values().stream().anyMatch(n -> n.contains(host))).as("job " + job + " scrapes " + host
                    + ", a name of a service that serves metrics").isTrue();
            scraped.add(host);
        }));
        servers.forEach((service, names) -> assertThat(names).as("service " + service + " is scraped").containsAnyOf(scraped.toArray(String[]::new)));
    }

    @Test
    void kafkaClusterMatchesTheClientsAndTheDockerProfile() {
        Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
        services().forEach((name, value) -> {
            if (String.valueOf(map(value).get("image")).startsWith("apache/kafka:")) {
                nodes.put(name, map(value));
            }
        });
        assertThat(nodes).hasSize(3);
        Set<String> internal = new TreeSet<>();
        Set<String> voters = new TreeSet<>();
        for (Map.Entry<String, Map<String, Object>> e : nodes.entrySet()) {
            Map<String, Object> node = e.getValue();
            Map<String, String> env = environment(node);
            assertThat(node.get("image")).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
            assertThat(node.get("hostname")).isEqualTo(e.getKey());
            Uuid.fromString(env.get("CLUSTER_ID"));
            Map<String, String> advertised = listeners(env.get("KAFKA_ADVERTISED_LISTENERS"));
            internal.add(advertised.get(env.get("KAFKA_INTER_BROKER_LISTENER_NAME")));
            String external = advertised.get("EXTERNAL");
            String externalPort = external.substring(external.lastIndexOf(':') + 1);
            assertThat(list(node.get("ports"))).as("EXTERNAL of " + e.getKey() + " is published at its advertised port")
                    .contains("127.0.0.1:" + externalPort + ":" + externalPort);
            String controllerPort = listeners(env.get("KAFKA_LISTENERS")).get(env.get("KAFKA_CONTROLLER_LISTENER_NAMES"));
            voters.add(env.get("KAFKA_NODE_ID") + "@" + e.getKey() + controllerPort.substring(controllerPort.lastIndexOf(':')));
            assertThat(Integer.parseInt(env.get("KAFKA_MIN_INSYNC_REPLICAS"))).isLessThan(nodes.size());
        }
        Map<String, String> first = environment(nodes.values().iterator().next());
        assertThat(new TreeSet<>(List.of(first.get("KAFKA_CONTROLLER_QUORUM_VOTERS").split(",")))).isEqualTo(voters);
        assertThat(new TreeSet<>(List.of(dockerProfile.text("kafka.bootstrap.servers").split(",")))).isEqualTo(internal);
        assertThat(dockerProfile.integer("topics.replication-factor")).isEqualTo(nodes.size());
    }

    @Test
    void streamrecServicesRunCommandsAndSettingsTheCliKnows() {
        Set<String> known = Settings.defaults().describe().keySet();
        int checked = 0;
        for (Map.Entry<String, Object> e : services().entrySet()) {
            Map<String, Object> service = map(e.getValue());
            if (!isStreamrec(service)) {
                continue;
            }
            checked++;
            String[] command = list(service.get("command")).stream().map(String::valueOf).toArray(String[]::new);
            Main.commandLine().parseArgs(command);   // throws on an unknown command, option or value
            Map<String, String> env = new HashMap<>(environment(service));
            env.forEach((variable, value) -> {
                boolean passThrough = variable.startsWith("STREAMREC_KAFKA_");
                boolean setting = known.stream().anyMatch(k -> Settings.envName(k).equals(variable));
                assertThat(!variable.startsWith("STREAMREC_") || passThrough || setting)
                        .as(e.getKey() + ": " + variable + " sets no streamrec setting").isTrue();
            });
            env.put("HOSTNAME", "0123456789ab");   // what Docker sets: the container's short id
            Settings s = Settings.load("docker", null, env, Map.of());   // the settings the container runs with
            if (command[0].equals("train")) {
                TrainerConfig.from(s);   // throws on a value the trainer does not take
            }
            if (command[0].equals("score")) {
                ScorerConfig config = ScorerConfig.from(s);
                assertThat(config.advertisedHost()).as("each replica advertises its own container").isEqualTo("0123456789ab");
                assertThat(String.valueOf(list(service.get("ports")).get(0))).endsWith(":" + config.httpPort());
                assertThat(String.join(" ", list(map(service.get("healthcheck")).get("test")).stream().map(String::valueOf).toList()))
                        .contains("localhost:" + config.httpPort() + "/health");
            }
        }
        assertThat(checked).isEqualTo(5);   // topics, trainer, trainer-gpu, scorer, replayer
    }

    @Test
    void imageBuildCoversEveryModuleAndStartsTheCli() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        // The dependency layer is built from the poms alone: a module whose pom is not copied breaks the build.
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(DOCKER.resolve("../pom.xml")));
        int modules = 0;
        while (module.find()) {
            modules++;
            assertThat(dockerfile).contains("COPY " + module.group(1) + "/pom.xml " + module.group(1) + "/");
        }
        assertThat(modules).isGreaterThanOrEqualTo(8);
        String jar = "streamrec-cli.jar";
        assertThat(Files.readString(DOCKER.resolve("../services/cli/pom.xml"))).contains("<finalName>streamrec-cli</finalName>");
        assertThat(dockerfile).contains("services/cli/target/" + jar, "services/cli/target/lib/", "ENV STREAMREC_PROFILE=docker");
        assertThat(Files.readString(DOCKER.resolve("entrypoint.sh"))).contains("/opt/streamrec/" + jar, "/opt/streamrec/lib/*",
                Main.class.getName());
    }

    // ------------------------------------------------------------------ the files

    private static Map<String, Object> services() {
        return map(compose.get("services"));
    }

    private static Map<String, Object> service(String name) {
        return map(services().get(name));
    }

    private static boolean isStreamrec(Map<String, Object> service) {
        return String.valueOf(service.get("image")).startsWith("streamrec:");
    }

    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        map(service.get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
        return env;
    }

    private static Set<String> aliases(Map<String, Object> service) {
        Set<String> out = new TreeSet<>();
        map(service.get("networks")).values().forEach(n -> list(map(n).get("aliases")).forEach(a -> out.add(String.valueOf(a))));
        return out;
    }

    /** Where a service mounts a path of docker/ ("./grafana/dashboards:/etc/grafana/dashboards:ro"). */
    private static String mountTarget(Map<String, Object> service, String source) {
        return list(service.get("volumes")).stream().map(String::valueOf).filter(v -> v.startsWith(source + ":"))
                .map(v -> v.split(":")[1]).findFirst().orElseThrow(() -> new AssertionError("no mount of " + source));
    }

    /** "INTERNAL://kafka-1:19092,EXTERNAL://localhost:9092" -> INTERNAL=kafka-1:19092, EXTERNAL=localhost:9092. */
    private static Map<String, String> listeners(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : spec.split(",")) {
            out.put(l.substring(0, l.indexOf("://")), l.substring(l.indexOf("://") + 3));
        }
        return out;
    }

    /** Job name to host:port targets, static or found by DNS. */
    private static Map<String, List<String>> prometheusJobs() {
        Map<String, List<String>> jobs = new LinkedHashMap<>();
        for (Object o : list(prometheus.get("scrape_configs"))) {
            Map<String, Object> job = map(o);
            List<String> targets = new ArrayList<>();
            list(job.get("static_configs")).forEach(c -> list(map(c).get("targets")).forEach(t -> targets.add(String.valueOf(t))));
            list(job.get("dns_sd_configs")).forEach(c -> list(map(c).get("names")).forEach(n -> targets.add(n + ":" + map(c).get("port"))));
            jobs.put((String) job.get("job_name"), targets);
        }
        return jobs;
    }

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(DOCKER.resolve("grafana/dashboards/streamrec.json").toFile());
    }

    private static List<JsonNode> dashboardTargets() {
        List<JsonNode> out = new ArrayList<>();
        try {
            for (JsonNode panel : dashboard().path("panels")) {
                panel.path("targets").forEach(out::add);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static Map<String, Object> yaml(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            return new Yaml().load(r);   // SnakeYAML resolves the anchors and merge keys (<<) compose.yaml uses
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    // ------------------------------------------------------------------ the services' endpoints

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+\\S+.*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The Prometheus text format: one sample per line, name{label="value",...} value. */
    private static void parseExposition(String body) {
        for (String line : body.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            served.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
        }
        assertThat(served).isNotEmpty();
    }

    /**
     * A metric a PromQL expression selects, with its label=value matchers. Enough of PromQL for dashboards: functions
     * (an identifier before '('), aggregations, label lists (by, without, on, ignoring, group_left, group_right),
     * keywords, numbers, strings, range selectors and Grafana's $__ variables are told apart from metric names.
     */
    record Selector(String metric, Map<String, String> equalities) {
        private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
        private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2");
        /** Aggregations may put their label list before the parenthesis: sum by (le) (...). */
        private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
                "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
        private static final Pattern MATCHER = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?");

        static List<Selector> parse(String expr) {
            String e = expr.replaceAll("\\$__\\w+", "1m");
            if (e.contains("$")) {
                throw new AssertionError("a template variable the dashboard does not define, in: " + expr);
            }
            List<Selector> out = new ArrayList<>();
            int i = 0;
            while (i < e.length()) {
                char c = e.charAt(i);
                if (c == '"' || c == '\'' || c == '`') {
                    i = e.indexOf(c, i + 1) + 1;
                } else if (c == '[') {
                    i = e.indexOf(']', i) + 1;
                } else if (Character.isDigit(c) || c == '.') {
                    while (i < e.length() && (Character.isLetterOrDigit(e.charAt(i)) || e.charAt(i) == '.')) {
                        i++;
                    }
                } else if (Character.isLetter(c) || c == '_' || c == ':') {
                    int start = i;
                    while (i < e.length() && (Character.isLetterOrDigit(e.charAt(i)) || e.charAt(i) == '_' || e.charAt(i) == ':')) {
                        i++;
                    }
                    String word = e.substring(start, i);
                    int next = skipSpaces(e, i);
                    char after = next < e.length() ? e.charAt(next) : ' ';
                    if (LABEL_LISTS.contains(word) && after == '(') {
                        i = e.indexOf(')', next) + 1;
                    } else if (!KEYWORDS.contains(word) && !AGGREGATIONS.contains(word) && after != '(') {
                        Map<String, String> equalities = new LinkedHashMap<>();
                        if (after == '{') {
                            int close = e.indexOf('}', next);
                            Matcher m = MATCHER.matcher(e.substring(next + 1, close));
                            while (m.find()) {
                                if (m.group(2).equals("=")) {
                                    equalities.put(m.group(1), m.group(3));
                                }
                            }
                            i = close + 1;
                        }
                        out.add(new Selector(word, equalities));
                    }
                } else {
                    i++;
                }
            }
            return out;
        }

        private static int skipSpaces(String s, int i) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i;
        }
    }
}
