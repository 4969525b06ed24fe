package io.streamrec.kafka;

import io.streamrec.config.Settings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.Map;
import java.util.Properties;

/**
 * Client configurations for every service, built from {@link Settings}: streamrec's defaults for each kind of
 * client first, then the user's pass-through ({@code kafka.*}, then {@code kafka.producer.*} and so on), so an
 * operator can tune or secure any client without code changes. A service that needs a setting to hold (such as
 * {@code isolation.level=read_committed} for exactly-once) puts it after calling these.
 */
public final class KafkaClients {
    private static final String[] ROLES = {"producer.", "consumer.", "admin.", "streams."};

    private KafkaClients() {
    }

    /** Throughput-oriented, loss-free producer defaults (measured on these machines: docs/findings.md). */
    public static Properties producer(Settings settings, String clientId) {
        return producer(settings, clientId, 5, "lz4");
    }

    /**
     * The same producer for events sent one at a time as they happen (a paced replay, a user's rating): sent at
     * once. The record's timestamp is taken at send(), so linger.ms 5 would add up to 5 ms to every rating's
     * rating-to-list latency (measured: the demo's p50 was 5.2 ms with it), and at a few thousand events per
     * second there is nothing to batch. Nor to compress: a batch of one rating gains nothing from lz4, whose every
     * batch allocates a 64 KB block buffer (the demo's replayer at 1,000/s: 16 % of the JVM's allocation, JFR) and
     * which the broker decompresses again to validate. A user's {@code kafka.producer.*} settings still win.
     */
    public static Properties liveProducer(Settings settings, String clientId) {
        return producer(settings, clientId, 0, "none");
    }

    private static Properties producer(Settings settings, String clientId, int lingerMs, String compression) {
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return withUserSettings(p, settings, "producer.", clientId);
    }

    public static Properties consumer(Settings settings, String clientId, String groupId) {
        Properties p = new Properties();
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return withUserSettings(p, settings, "consumer.", clientId);
    }

    public static Properties admin(Settings settings, String clientId) {
        return withUserSettings(new Properties(), settings, "admin.", clientId);
    }

    /** Kafka Streams configuration: the common pass-through plus {@code kafka.streams.*}. */
    public static Properties streams(Settings settings, String clientId) {
        return withUserSettings(new Properties(), settings, "streams.", clientId);
    }

    public static Admin newAdmin(Settings settings, String clientId) {
        return Admin.create(admin(settings, clientId));
    }

    private static Properties withUserSettings(Properties p, Settings settings, String role, String clientId) {
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        Map<String, String> kafka = settings.under("kafka.");
        kafka.forEach((k, v) -> {
            if (!isRoleSpecific(k)) {
                p.put(k, v);
            }
        });
        kafka.forEach((k, v) -> {
            if (k.startsWith(role)) {
                p.put(k.substring(role.length()), v);
            }
        });
        return p;
    }

    private static boolean isRoleSpecific(String key) {
        for (String r : ROLES) {
            if (key.startsWith(r)) {
                return true;
            }
        }
        return false;
    }
}
