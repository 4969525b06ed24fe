package io.streamrec.cli;

import io.streamrec.config.SettingsOptions;
import io.streamrec.config.Settings;
import io.streamrec.contract.Topic;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.kafka.KafkaUnreachableException;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.train.Engines;
import io.streamrec.train.TrainerConfig;
import io.streamrec.train.djl.TorchRuntime;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** {@code streamrec doctor}: what this machine and the cluster offer streamrec, and what is wrong. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Reports Java, the DJL engine and libtorch flavour, the devices seen (a GPU or not, and why), "
                + "where the trainer's embeddings would live, whether Kafka is reachable, and the state of streamrec's "
                + "topics and trainer group. Exits 1 when something needs attention."})
public final class DoctorCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--settings", description = "Also print every effective setting and where it came from (secrets redacted).")
    boolean showSettings;

    @Spec
    CommandSpec spec;

    private int problems;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        // The client's own retry warnings would bury the one-line verdict this command prints.
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.kafka", org.apache.logging.log4j.Level.ERROR);
        Settings s = settings.load();
        java(out);
        torch(out, s);
        kafka(out, s);
        if (showSettings) {
            out.println("\nsettings");
            s.describe().forEach((k, v) -> out.printf("  %-40s %s%n", k, v));
        }
        out.println(problems == 0 ? "\nall good" : "\n" + problems + " problem(s) found");
        out.flush();
        return problems == 0 ? 0 : 1;
    }

    private void java(PrintWriter out) {
        Runtime rt = Runtime.getRuntime();
        out.println("java");
        out.printf("  %s %s (%s), %d cores, max heap %,d MB%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"), System.getProperty("java.vendor"), rt.availableProcessors(),
                rt.maxMemory() >> 20);
        out.printf("  %s%n", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Dai.djl") || a.startsWith("-Xmx")).toList());
    }

    private void torch(PrintWriter out, Settings s) {
        out.println("\ndjl / pytorch");
        TrainerConfig config = TrainerConfig.from(s);
        try {
            TorchRuntime runtime = TorchRuntime.probe();
            out.println("  " + runtime.summary());
            out.println("  libtorch from " + runtime.libraryPath());
            Engines.Choice choice = Engines.choose(config);
            boolean java = choice.engine() == TrainerConfig.EngineKind.JAVA;
            out.printf("  trainer: model %s, trainer.engine=%s, trainer.device=%s -> %s engine; the embeddings live on %s%n",
                    config.model().id(), lower(config.engine()), lower(config.device()), lower(choice.engine()),
                    java ? "the CPU (Java heap)" : choice.device());
        } catch (IllegalStateException | IllegalArgumentException e) {
            problems++;
            out.println("  PROBLEM: " + e.getMessage());
        }
    }

    private void kafka(PrintWriter out, Settings s) {
        String bootstrap = s.text("kafka.bootstrap.servers");
        out.println("\nkafka at " + bootstrap);
        try {
            TopicAdmin.requireBroker(s);
        } catch (KafkaUnreachableException e) {
            problems++;
            out.println("  PROBLEM: " + e.getMessage() + "; start one with ./streamrec broker, or point"
                    + " --bootstrap-server / kafka.bootstrap.servers at yours");
            return;
        }
        Properties p = KafkaClients.admin(s, "streamrec-doctor");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(p)) {
            DescribeClusterResult cluster = admin.describeCluster();
            int nodes = cluster.nodes().get(6, TimeUnit.SECONDS).size();
            out.printf("  reachable: cluster %s, %d node(s)%n", cluster.clusterId().get(), nodes);
            topics(out, admin, nodes);
            trainerLag(out, admin, s.text("trainer.group-id"));
        } catch (Exception e) {
            problems++;
            out.println("  PROBLEM: not reachable (" + rootMessage(e) + "); start one with ./streamrec broker,"
                    + " or point --bootstrap-server / kafka.bootstrap.servers at yours");
        }
    }

    private void topics(PrintWriter out, Admin admin, int nodes) throws Exception {
        List<String> names = Topics.ALL.stream().map(Topic::name).toList();
        Map<String, TopicDescription> described = new HashMap<>();
        for (String name : names) {
            try {
                described.put(name, admin.describeTopics(List.of(name)).allTopicNames().get().get(name));
            } catch (Exception e) {
                // missing; reported below
            }
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.values().forEach(d -> d.partitions().forEach(pi -> latest.put(new TopicPartition(d.name(), pi.partition()), OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
        out.printf("  %-22s %-8s %-12s %-9s %-10s %s%n", "topic", "exists", "partitions", "replicas", "cleanup", "end offsets");
        for (Topic<?, ?> t : Topics.ALL) {
            TopicDescription d = described.get(t.name());
            if (d == null) {
                problems++;
                out.printf("  %-22s %-8s (create with ./streamrec broker, or any streamrec service with topics.create=true)%n", t.name(), "MISSING");
                continue;
            }
            int replicas = d.partitions().get(0).replicas().size();
            String cleanup = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, t.name())))
                    .all().get().values().stream().map(c -> value(c, "cleanup.policy")).findFirst().orElse("?");
            long records = d.partitions().stream().mapToLong(pi -> ends.get(new TopicPartition(t.name(), pi.partition())).offset()).sum();
            boolean ok = d.partitions().size() == t.partitions() && cleanup.equals(t.cleanup().policy);
            if (!ok) {
                problems++;
            }
            out.printf("  %-22s %-8s %-12s %-9s %-10s %,d%s%n", t.name(), "yes",
                    d.partitions().size() + (d.partitions().size() == t.partitions() ? "" : " (want " + t.partitions() + ")"),
                    replicas + "/" + nodes, cleanup, records, ok ? "" : "  PROBLEM: differs from the registry");
        }
    }

    private void trainerLag(PrintWriter out, Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        if (committed.isEmpty()) {
            out.println("  trainer group '" + group + "': nothing committed yet (no checkpoint published)");
            return;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
        long lag = committed.entrySet().stream().mapToLong(e -> ends.get(e.getKey()).offset() - e.getValue().offset()).sum();
        // The group's offsets move only with checkpoints (trainer.checkpoint-every-ms): these may be served already.
        out.printf("  trainer group '%s': %,d ratings after the last checkpoint (some may be trained and served "
                + "already; a restart trains them again)%n", group, lag);
    }

    private static String value(Config c, String name) {
        return c.get(name) == null ? "?" : c.get(name).value();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
