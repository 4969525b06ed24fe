package io.streamrec.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * streamrec's configuration: the documented defaults of {@code config/streamrec.properties}, then a profile, a
 * file of the user's, environment variables and flags, each layer overriding the one before (the precedence is
 * documented at the top of the defaults file). Immutable; every option must exist in the defaults, except the
 * free-form Kafka client pass-through under {@code kafka.}.
 */
public final class Settings {
    public static final String ENV_PREFIX = "STREAMREC_";
    public static final String DEFAULT_PROFILE = "local";
    private static final String KAFKA_PREFIX = "kafka.";
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|jaas|token|credential|api[._-]?key).*");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]+)}");
    /**
     * Variables under {@value #ENV_PREFIX} that are not settings: the two that choose layers, and the launchers' own
     * (./streamrec and docker/entrypoint.sh pass JVM options; ./streamrec passes Maven options to its build).
     */
    private static final Set<String> NOT_SETTINGS = Set.of(ENV_PREFIX + "PROFILE", ENV_PREFIX + "CONFIG",
            ENV_PREFIX + "JAVA_OPTS", ENV_PREFIX + "BUILD_ARGS");
    /** Keys that were renamed, old to new: a config written for the old name gets told the new one. */
    private static final Map<String, String> RENAMED = Map.of("replay.data", "data.dir", "replay.dataset", "data.name",
            "replay.synthetic", "data.synthetic", "replay.sample-users", "data.sample-users", "replay.seed", "data.seed");

    private final Map<String, String> values;
    private final Map<String, String> origins;

    private Settings(Map<String, String> values, Map<String, String> origins) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.origins = Collections.unmodifiableMap(new TreeMap<>(origins));
    }

    /** The defaults alone: what a test or a library user starts from. */
    public static Settings defaults() {
        return load(null, null, Map.of(), Map.of());
    }

    /**
     * Loads every layer.
     *
     * @param profile    profile name, or null for STREAMREC_PROFILE or {@value #DEFAULT_PROFILE}
     * @param configFile a properties file of the user's, or null for STREAMREC_CONFIG or none
     * @param env        the environment (System.getenv() in production)
     * @param flags      key=value overrides from the command line, highest precedence
     * @throws IllegalArgumentException naming the culprit when a key is unknown or a file is unreadable
     */
    public static Settings load(String profile, Path configFile, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        Properties defaults = classpath("config/streamrec.properties");
        if (defaults == null) {
            throw new IllegalStateException("config/streamrec.properties is missing from the classpath");
        }
        defaults.stringPropertyNames().forEach(k -> put(values, origins, k, defaults.getProperty(k), "default"));

        String chosenProfile = profile != null ? profile : env.getOrDefault(ENV_PREFIX + "PROFILE", DEFAULT_PROFILE);
        Properties profileProps = classpath("config/" + chosenProfile + ".properties");
        if (profileProps == null) {
            throw new IllegalArgumentException("unknown profile '" + chosenProfile + "': no config/" + chosenProfile
                    + ".properties");
        }
        layer(values, origins, profileProps, "profile " + chosenProfile);

        Path file = configFile != null ? configFile
                : env.containsKey(ENV_PREFIX + "CONFIG") ? Path.of(env.get(ENV_PREFIX + "CONFIG")) : null;
        if (file != null) {
            layer(values, origins, readFile(file), file.toString());
        }

        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = keyOfEnvironmentVariable(e.getKey(), values.keySet());
            if (key != null) {
                put(values, origins, key, e.getValue(), "env " + e.getKey());
            }
        }
        for (Map.Entry<String, String> e : flags.entrySet()) {
            requireKnown(values, e.getKey(), "flag");
            put(values, origins, e.getKey(), e.getValue(), "flag");
        }
        values.replaceAll((k, v) -> expand(v, env));
        return new Settings(values, origins);
    }

    /** A copy with one value replaced (the key must exist); for code that derives settings, such as tests. */
    public Settings with(String key, Object value) {
        Map<String, String> v = new TreeMap<>(values);
        Map<String, String> o = new TreeMap<>(origins);
        requireKnown(v, key, "override");
        v.put(key, String.valueOf(value));
        o.put(key, "override");
        return new Settings(v, o);
    }

    public String text(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("unknown setting '" + key + "'");
        }
        return v.strip();
    }

    /**
     * Where the value came from: "default", "profile NAME", a file's path, "env VARIABLE" or "flag" (a command-line
     * option or --set).
     */
    public String origin(String key) {
        text(key);
        return origins.get(key);
    }

    /** Whether the value is still the built-in default: no profile, file, environment variable or flag set it. */
    public boolean isDefault(String key) {
        return "default".equals(origin(key));
    }

    /** The value, or null when it is empty. */
    public String optionalText(String key) {
        String v = text(key);
        return v.isEmpty() ? null : v;
    }

    public int integer(String key) {
        return parse(key, Integer::parseInt, "an integer");
    }

    public long longInteger(String key) {
        return parse(key, Long::parseLong, "an integer");
    }

    public double decimal(String key) {
        return parse(key, Double::parseDouble, "a number");
    }

    public boolean flag(String key) {
        String v = text(key).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw invalid(key, "true or false");
        }
        return v.equals("true");
    }

    public Path path(String key) {
        return Path.of(text(key));
    }

    /** The value as a constant of the enum; values are matched case-insensitively with '-' for '_'. */
    public <E extends Enum<E>> E choice(String key, Class<E> type) {
        return choice(key, List.of(type.getEnumConstants()));
    }

    /** The value as one of the allowed constants, matched as {@link #choice(String, Class)} does. */
    @SafeVarargs
    public final <E extends Enum<E>> E choice(String key, E... allowed) {
        return choice(key, List.of(allowed));
    }

    private <E extends Enum<E>> E choice(String key, List<E> allowed) {
        String v = text(key).toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : allowed) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        throw invalid(key, "one of " + allowed.stream()
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
    }

    /** Every value under a prefix, the prefix removed, for example the Kafka client pass-through. */
    public Map<String, String> under(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Every key with its value, secrets masked, and where the value came from: safe to log or print. */
    public Map<String, String> describe() {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, redact(k, v) + "  (" + origins.get(k) + ")"));
        return out;
    }

    /** The value masked when the key looks secret, as it may be logged. */
    public static String redact(String key, String value) {
        return SECRET.matcher(key).matches() && value != null && !value.isEmpty() ? "[redacted]" : value;
    }

    /**
     * The key an environment variable sets: STREAMREC_ + the key upper-cased with '.' and '-' as '_'. A variable
     * under STREAMREC_KAFKA_ that matches no known key is a Kafka client setting, underscores read as dots. Null for
     * variables that are not streamrec's, or not settings ({@link #NOT_SETTINGS}).
     *
     * @throws IllegalArgumentException for any other STREAMREC_ variable, as for an unknown flag: a typo must not
     *                                  fall back to the default silently
     */
    static String keyOfEnvironmentVariable(String variable, Set<String> known) {
        if (!variable.startsWith(ENV_PREFIX) || NOT_SETTINGS.contains(variable)) {
            return null;
        }
        String name = variable.substring(ENV_PREFIX.length());
        for (String key : known) {
            if (envName(key).equals(variable)) {
                return key;
            }
        }
        if (name.startsWith("KAFKA_")) {
            return name.toLowerCase(Locale.ROOT).replace('_', '.');
        }
        List<String> variables = new ArrayList<>(NOT_SETTINGS);
        known.forEach(k -> variables.add(envName(k)));
        throw new IllegalArgumentException("unknown environment variable " + variable + didYouMean(variables, variable)
                + "; a setting's variable is " + ENV_PREFIX + " + its key in upper case with '.' and '-' as '_' (every"
                + " key is in config/streamrec.properties), and " + ENV_PREFIX + "KAFKA_* passes to Kafka");
    }

    /** The environment variable that sets a key. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private <T> T parse(String key, java.util.function.Function<String, T> parser, String what) {
        try {
            return parser.apply(text(key));
        } catch (NumberFormatException e) {
            throw invalid(key, what);
        }
    }

    private IllegalArgumentException invalid(String key, String expected) {
        return new IllegalArgumentException("setting " + key + "=" + redact(key, values.get(key)) + " (from "
                + origins.get(key) + ") must be " + expected);
    }

    private static void layer(Map<String, String> values, Map<String, String> origins, Properties props, String origin) {
        for (String k : props.stringPropertyNames()) {
            requireKnown(values, k, origin);
            put(values, origins, k, props.getProperty(k), origin);
        }
    }

    private static void requireKnown(Map<String, String> values, String key, String origin) {
        if (!values.containsKey(key) && !key.startsWith(KAFKA_PREFIX)) {
            String hint = RENAMED.containsKey(key) ? " (renamed " + RENAMED.get(key) + ")" : didYouMean(values.keySet(), key);
            throw new IllegalArgumentException("unknown setting '" + key + "' from " + origin + hint
                    + "; every option is listed in config/streamrec.properties");
        }
    }

    /**
     * " (did you mean X?)" for the known name closest to a mistyped one, or "": names compare in lower case without
     * separators ('.', '-', '_'), so TRAINER_BATCHSIZE meets trainer.batch-size; up to two letters may differ, or
     * the last part of a dotted key may match on its own (metrics.prot, trainer.port).
     */
    private static String didYouMean(Collection<String> known, String wanted) {
        String w = bare(wanted);
        String lastPart = wanted.substring(wanted.lastIndexOf('.') + 1);
        return known.stream()
                .filter(k -> editDistance(bare(k), w) <= 2 || k.substring(k.lastIndexOf('.') + 1).equals(lastPart))
                .min(Comparator.comparingInt(k -> editDistance(bare(k), w)))
                .map(k -> " (did you mean " + k + "?)").orElse("");
    }

    private static String bare(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[._-]", "");
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static void put(Map<String, String> values, Map<String, String> origins, String k, String v, String origin) {
        values.put(k, v);
        origins.put(k, origin);
    }

    private static String expand(String value, Map<String, String> env) {
        UnaryOperator<String> lookup = name -> {
            String v = System.getProperty(name);
            return v != null ? v : env.get(name);
        };
        Matcher m = REFERENCE.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = lookup.apply(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(v != null ? v : m.group()));
        }
        return m.appendTail(sb).toString();
    }

    private static Properties classpath(String resource) {
        try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    private static Properties readFile(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(r);
            return p;
        } catch (IOException e) {
            // NoSuchFileException's message is the bare path: name the condition instead.
            String why = e instanceof NoSuchFileException ? "no such file"
                    : e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
            throw new IllegalArgumentException("cannot read config file " + file + ": " + why, e);
        }
    }

    /** A range check of a loaded setting: {@code problem} names the key, its range and the value given. */
    public static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }
}
