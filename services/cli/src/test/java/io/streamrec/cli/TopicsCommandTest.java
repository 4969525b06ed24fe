package io.streamrec.cli;

import io.streamrec.contract.Topic;
import io.streamrec.contract.Topics;
import io.streamrec.testkit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** topics create (the Compose file's topic-init step) against a real broker. */
class TopicsCommandTest {

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void leavesEveryRegistryTopicReadyAndListsIt() {
        int exit = run("topics", "create", "--bootstrap-server", kafka.bootstrapServers(), "--replication-factor", "1");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("topics ready at " + kafka.bootstrapServers() + " (1 broker(s))");
        for (Topic<?, ?> t : Topics.ALL) {
            assertThat(out.toString()).containsPattern("\\n  " + t.name() + " +" + t.partitions() + " +1 +" + t.cleanup().policy);
        }
    }

    @Test
    void failsWhenTheClusterHasFewerBrokersThanReplicas() {
        int exit = run("topics", "create", "--bootstrap-server", kafka.bootstrapServers(), "--replication-factor", "3",
                "--timeout", "2");

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("waiting for 3 broker(s), 1 so far");
        assertThat(err.toString()).contains("the cluster has 1 broker(s) after the timeout; topics.replication-factor=3 needs at least 3");
    }

    @Test
    void withoutASubcommandShowsUsage() {
        assertThat(run("topics")).isEqualTo(2);
        assertThat(err.toString()).contains("choose a subcommand").contains("create");
    }

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
