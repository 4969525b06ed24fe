package io.streamrec.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContractRecordsTest {

    @Test
    void parsesMovieLensTitles() {
        assertThat(Movie.fromMovieLens(1, "Toy Story (1995)", "Adventure|Animation|Children|Comedy|Fantasy"))
                .isEqualTo(new Movie(1, "Toy Story", 1995, List.of("Adventure", "Animation", "Children", "Comedy", "Fantasy")));
        assertThat(Movie.fromMovieLens(2, "City of Lost Children, The (Cité des enfants perdus, La) (1995) ", "Drama"))
                .isEqualTo(new Movie(2, "City of Lost Children, The (Cité des enfants perdus, La)", 1995, List.of("Drama")));
        assertThat(Movie.fromMovieLens(3, "Babylon 5", "(no genres listed)"))
                .isEqualTo(new Movie(3, "Babylon 5", null, List.of()));
        assertThat(Movie.fromMovieLens(4, "Fawlty Towers (1975-1979)", "Comedy").year()).isEqualTo(1975);
        assertThat(Movie.fromMovieLens(5, "(1995)", "Comedy").title()).isEqualTo("(1995)");
    }

    @Test
    void jsonRecordsRoundTripAndConformToTheirSchemas() throws Exception {
        Movie movie = Movie.fromMovieLens(1, "Toy Story (1995)", "Comedy");
        assertRoundTrip(Topics.MOVIES.valueSerde().serializer().serialize("movies", movie), Topics.MOVIES, movie, JsonSchemas.MOVIE);

        Recommendation rec = new Recommendation(7, 3, 1000, 990L, "rating", "model",
                List.of(new Recommendation.Item(1, "Toy Story", 0.9), new Recommendation.Item(2, null, 0.5)));
        assertRoundTrip(Topics.RECOMMENDATIONS.valueSerde().serializer().serialize("r", rec), Topics.RECOMMENDATIONS, rec, JsonSchemas.RECOMMENDATION);

        SnapshotManifest manifest = new SnapshotManifest("mf", 2, 1000, 10, 20, 1,
                List.of(new SnapshotManifest.OffsetRange(0, 5, 15)), 3, 4,
                Map.of("model", "mf", "dim", 64), Map.of("h", SnapshotManifest.DenseWeights.of(new int[]{2}, new float[]{1.5f, -2f}, null)),
                Map.of("hr10", 0.5));
        byte[] bytes = Topics.SNAPSHOTS.valueSerde().serializer().serialize("s", manifest);
        assertRoundTrip(bytes, Topics.SNAPSHOTS, manifest, JsonSchemas.SNAPSHOT_MANIFEST);
        assertThat(Topics.SNAPSHOTS.valueSerde().deserializer().deserialize("s", bytes).dense().get("h").values())
                .containsExactly(1.5f, -2f);
    }

    /**
     * The hand-written list writer writes what the bean serializer would (scores chosen exact in both precisions),
     * and each score as its float32's decimal ({@link Float#toString}).
     */
    @Test
    void listsAreWrittenAsTheRecordWithScoresInSinglePrecision() throws Exception {
        ObjectMapper beans = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
        float score = 0.123456789f;
        for (Recommendation list : List.of(
                new Recommendation(7, 3, 1000, 990L, "rating", "model", List.of(
                        new Recommendation.Item(1, "Toy Story (1995)", 0.75), new Recommendation.Item(2, null, -2.5),
                        new Recommendation.Item(3, "\"Quoted\" \u00e9 \u65e5", 3))),
                new Recommendation(8, 0, 5, null, "request", "popularity", List.of()))) {
            JsonNode written = JsonSchemas.MAPPER.readTree(JsonSchemas.MAPPER.writeValueAsBytes(list));
            assertThat(JsonSchemas.RECOMMENDATION.violations(written)).isEmpty();
            assertThat(written).isEqualTo(beans.readTree(beans.writeValueAsBytes(list)));
        }
        byte[] bytes = Topics.RECOMMENDATIONS.valueSerde().serializer().serialize("r",
                new Recommendation(7, 3, 1000, 990L, "rating", "model", List.of(new Recommendation.Item(1, null, score))));
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"score\":" + score + "}");
    }

    private static <V> void assertRoundTrip(byte[] bytes, Topic<String, V> topic, V expected, JsonSchemas schema) throws Exception {
        JsonNode tree = JsonSchemas.MAPPER.readTree(bytes);
        assertThat(schema.violations(tree)).isEmpty();
        assertThat(topic.valueSerde().deserializer().deserialize(topic.name(), bytes)).isEqualTo(expected);
    }

    @Test
    void jsonSerdeRejectsWhatBreaksTheSchema() {
        byte[] bad = "{\"movieId\":0,\"title\":\"\",\"genres\":[]}".getBytes();
        assertThatThrownBy(() -> Topics.MOVIES.valueSerde().deserializer().deserialize("movies", bad))
                .isInstanceOf(ContractViolation.class).hasMessageContaining("movie.schema.json");
    }

    @Test
    void factorRowsRoundTripInTheDocumentedLayout() {
        FactorRow row = new FactorRow(9, 4, new float[]{1f, -0.5f, 2f}, new float[]{0.1f, 0.2f, 0.3f});
        byte[] bytes = row.encode();
        assertThat(bytes).hasSize(20 + 4 * 6);
        assertThat(bytes[0]).isEqualTo((byte) 'S');
        assertThat(bytes[4]).isEqualTo((byte) 9); // little-endian int64 version
        assertThat(FactorRow.decode(bytes)).isEqualTo(row);
        assertThat(FactorRow.decode(new FactorRow(1, 0, new float[]{3f}, new float[0]).encode()).state()).isEmpty();
        bytes[2] = 2;
        assertThatThrownBy(() -> FactorRow.decode(bytes)).hasMessageContaining("unknown layout version 2");
        assertThatThrownBy(() -> FactorRow.decode(new byte[5])).hasMessageContaining("shorter than");
    }

    /**
     * int8 serving rows (flag bit 2): 65 parameters as blocks of 32, 32 and 1, each after its float32 scale; a value
     * is off by at most half its block's scale, and a large last value (mf's bias) in its own block costs the
     * factors nothing.
     */
    @Test
    void int8ServingRowsDecodeWithinHalfAStepOfTheirBlock() {
        float[] params = new float[65];
        java.util.Random random = new java.util.Random(5);
        for (int k = 0; k < 64; k++) {
            params[k] = (float) (0.2 * random.nextGaussian());
        }
        params[64] = -3.7f;
        params[40] = 0f;
        byte[] bytes = FactorRow.Precision.INT8.encode(11, 6, params, 0, params.length, new float[0], 0, 0);
        assertThat(bytes).hasSize(20 + 3 * 4 + 65).hasSize(FactorRow.Precision.INT8.bytes(65, 0));
        assertThat(bytes[3]).as("flags").isEqualTo((byte) 4);
        FactorRow row = FactorRow.decode(bytes);
        assertThat(row.modelVersion()).isEqualTo(11);
        assertThat(row.count()).isEqualTo(6);
        assertThat(row.state()).isEmpty();
        for (int from = 0; from < 65; from += FactorRow.INT8_BLOCK) {
            float largest = 0;
            for (int k = from; k < Math.min(65, from + FactorRow.INT8_BLOCK); k++) {
                largest = Math.max(largest, Math.abs(params[k]));
            }
            for (int k = from; k < Math.min(65, from + FactorRow.INT8_BLOCK); k++) {
                assertThat(row.params()[k]).as("parameter " + k)
                        .isCloseTo(params[k], org.assertj.core.data.Offset.offset(largest / 127 / 2 * 1.0001f));
            }
        }
        assertThat(row.params()[64]).isCloseTo(-3.7f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(row.params()[40]).isZero();
        assertThat(FactorRow.decode(FactorRow.Precision.INT8.encode(1, 0, new float[3], 0, 3, new float[0], 0, 0)).params()).containsOnly(0f);
        byte[] shortened = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        assertThatThrownBy(() -> FactorRow.decode(shortened)).hasMessageContaining("header promises");
        bytes[3] = 6;
        assertThatThrownBy(() -> FactorRow.decode(bytes)).hasMessageContaining("unknown flags 6");
    }

    @Test
    void registryIsConsistent() {
        assertThat(Topics.ALL).extracting(Topic::name).doesNotHaveDuplicates();
        assertThat(Topics.USER_FACTORS.partitions()).as("co-partitioned with ratings").isEqualTo(Topics.RATINGS.partitions());
        assertThat(Topics.RATINGS.creationConfigs()).containsEntry("cleanup.policy", "delete");
        assertThat(Topics.MOVIES.creationConfigs()).containsEntry("cleanup.policy", "compact");
    }
}
