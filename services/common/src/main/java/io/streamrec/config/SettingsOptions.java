package io.streamrec.config;

import io.streamrec.config.Settings;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options every command shares to pick its configuration; mixed into each command with
 * {@code @Mixin SettingsOptions settings}. A command's own flags map onto setting keys and take precedence over
 * {@code --set}, which takes precedence over the environment (see config/streamrec.properties).
 */
public final class SettingsOptions {
    /** The command this is mixed into, for its usage errors. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--profile", paramLabel = "NAME", description = "Configuration profile: local (default) or docker; env STREAMREC_PROFILE.")
    String profile;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file of your own, over the profile; env STREAMREC_CONFIG.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any setting (repeatable), e.g. --set trainer.dim=32.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (kafka.bootstrap.servers).")
    String bootstrapServers;

    /** Loads the settings with the command's own flags (null values are skipped) on top. */
    public Settings load(Map<String, Object> commandFlags) {
        Map<String, String> flags = new LinkedHashMap<>(overrides);
        if (bootstrapServers != null) {
            flags.put("kafka.bootstrap.servers", bootstrapServers);
        }
        commandFlags.forEach((k, v) -> {
            if (v != null) {
                flags.put(k, String.valueOf(v));
            }
        });
        return Settings.load(profile, config, System.getenv(), flags);
    }

    public Settings load() {
        return load(Map.of());
    }

    /**
     * For the commands that use no Kafka of the user's (the demo runs its own, evaluate none): a named cluster is a
     * usage error, where ignoring the flag the mixin offers would mislead.
     */
    public void refuseBroker(String why) {
        if (namesBroker()) {
            throw new ParameterException(command.commandLine(), why + " (--bootstrap-server, kafka.bootstrap.servers)");
        }
    }

    /**
     * For the {@code @Command(modelTransformer = ...)} of the commands that {@link #refuseBroker refuse a broker}:
     * {@code --bootstrap-server} leaves their help, which listed it as if they used it, but is still parsed, so that
     * giving it gets the command's reason rather than "Unknown option".
     */
    public static final class BrokerRefused implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            OptionSpec listed = spec.findOption("--bootstrap-server");
            spec.remove(listed);
            spec.addOption(OptionSpec.builder(listed).hidden(true).build());
            return spec;
        }
    }

    /** Whether the user named a Kafka cluster, by flag or {@code --set kafka.bootstrap.servers}. */
    public boolean namesBroker() {
        return bootstrapServers != null || overrides.containsKey("kafka.bootstrap.servers");
    }
}
