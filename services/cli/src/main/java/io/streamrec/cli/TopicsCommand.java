package io.streamrec.cli;

import io.streamrec.config.SettingsOptions;
import io.streamrec.broker.ClusterTopics;
import io.streamrec.config.Settings;
import io.streamrec.contract.Topic;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** {@code streamrec topics}: streamrec's topics on a cluster of someone else's (Compose, a managed Kafka). */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Manages streamrec's topics (the registry in schemas/) on an existing Kafka cluster.",
        subcommands = TopicsCommand.Create.class)
public final class TopicsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("streamrec topics: choose a subcommand");
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** {@code streamrec topics create}: the Compose file's topic-init step. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Waits until the cluster has at least as many brokers as the replication factor, then "
                    + "creates Kafka's internal topics and every missing streamrec topic, checks the partition counts "
                    + "of existing ones, and waits until every partition's leader serves.",
                    "Exits 0 when the topics are ready, 1 when they are not within the timeout."})
    static final class Create implements Callable<Integer> {
        @Mixin
        SettingsOptions settings;

        @Option(names = "--replication-factor", paramLabel = "N",
                description = "Replicas of each topic (topics.replication-factor; 1 locally, 3 in the docker profile).")
        Integer replicationFactor;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
                description = "How long to wait for the brokers and the topics (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Settings s = settings.load(Collections.singletonMap("topics.replication-factor", replicationFactor));
            int rf = s.integer("topics.replication-factor");
            PrintWriter out = spec.commandLine().getOut();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            try (Admin admin = KafkaClients.newAdmin(s, "streamrec-topics")) {
                int nodes = awaitBrokers(admin, rf, deadline, out);
                ClusterTopics.prepare(admin, rf, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                print(out, admin, s.text("kafka.bootstrap.servers"), nodes);
                return 0;
            } catch (IllegalStateException e) {
                spec.commandLine().getErr().println("streamrec topics create: " + e.getMessage());
                return 1;
            }
        }

        /**
         * Brokers of a cluster that is still starting register one by one, and a topic with more replicas than
         * registered brokers is refused (InvalidReplicationFactorException) rather than waited for.
         */
        private static int awaitBrokers(Admin admin, int wanted, long deadline, PrintWriter out) {
            int seen = -1;
            String lastError = "";
            while (true) {
                int nodes = 0;
                try {
                    int wait = (int) Math.min(5000, millisLeft(deadline));
                    nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(wait)).nodes().get().size();
                    lastError = "";
                } catch (ExecutionException e) {
                    // Not reachable yet, or refused (authentication): keep trying, and say why at the deadline.
                    lastError = " (last error: " + e.getCause() + ")";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the brokers", e);
                }
                if (nodes >= wanted) {
                    return nodes;
                }
                if (System.nanoTime() >= deadline) {
                    // The last call may itself have timed out at the deadline: report what was last seen.
                    throw new IllegalStateException("the cluster has " + Math.max(nodes, seen) + " broker(s) after the timeout; "
                            + "topics.replication-factor=" + wanted + " needs at least " + wanted + lastError);
                }
                if (nodes != seen) {
                    out.printf("waiting for %d broker(s), %d so far%n", wanted, nodes);
                    out.flush();
                    seen = nodes;
                }
                sleep(500);
            }
        }

        private static void print(PrintWriter out, Admin admin, String bootstrap, int nodes) {
            List<String> names = Topics.ALL.stream().map(Topic::name).toList();
            Map<String, TopicDescription> described;
            try {
                described = admin.describeTopics(names).allTopicNames().get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot describe the topics: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            out.printf("topics ready at %s (%d broker(s))%n", bootstrap, nodes);
            out.printf("  %-22s %-11s %-9s %s%n", "topic", "partitions", "replicas", "cleanup");
            for (Topic<?, ?> t : Topics.ALL) {
                TopicDescription d = described.get(t.name());
                out.printf("  %-22s %-11d %-9d %s%n", t.name(), d.partitions().size(),
                        d.partitions().get(0).replicas().size(), t.cleanup().policy);
            }
            out.flush();
        }

        private static long millisLeft(long deadline) {
            return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the brokers", e);
            }
        }
    }
}
