package io.streamrec.contract;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

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

    @Test
    void registryIsConsistent() {
        assertThat(Topics.ALL).extracting(Topic::name).doesNotHaveDuplicates();
        assertThat(Topics.USER_FACTORS.partitions()).as("co-partitioned with ratings").isEqualTo(Topics.RATINGS.partitions());
        assertThat(Topics.RATINGS.creationConfigs()).containsEntry("cleanup.policy", "delete");
        assertThat(Topics.MOVIES.creationConfigs()).containsEntry("cleanup.policy", "compact");
    }
}
