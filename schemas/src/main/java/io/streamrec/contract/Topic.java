package io.streamrec.contract;

import org.apache.kafka.common.serialization.Serde;

import java.util.Map;

/**
 * One topic of the contract: its name, how its keys and values are (de)serialised, and how it is created.
 *
 * @param configs topic-level configs beyond the cleanup policy, applied at creation
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, int partitions, Cleanup cleanup,
                          Map<String, String> configs, String description) {

    public enum Cleanup {
        DELETE("delete"), COMPACT("compact");

        public final String policy;

        Cleanup(String policy) {
            this.policy = policy;
        }
    }

    public Topic {
        configs = Map.copyOf(configs);
    }

    /** Every topic-level config to create the topic with, cleanup policy included. */
    public Map<String, String> creationConfigs() {
        java.util.Map<String, String> all = new java.util.TreeMap<>(configs);
        all.put("cleanup.policy", cleanup.policy);
        return all;
    }
}
