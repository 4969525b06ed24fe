package io.streamrec.dataset.movielens;

import io.streamrec.contract.Movie;
import io.streamrec.dataset.RatingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One small dataset per published layout, each with good rows and the kinds of bad row real files have. */
class MovieLensReadersTest {

    @TempDir
    Path dir;

    @Test
    void readsMovieLensCsvOrderedByTimeAndSkipsBadRowsWithTheirLineNumbers() throws IOException {
        write("ratings.csv", StandardCharsets.UTF_8, """
                userId,movieId,rating,timestamp
                1,10,4.0,964982703
                1,20,3.5,964981247
                2,10,abc,964982224
                2,30,5.5,964983815
                2,40,3.3,964983815
                3,10,4,900000000
                x,10,4.0,964982931
                3,20,4.0
                4,10,1.0,100

                4,11,0.5,1537799250\r
                """);
        write("movies.csv", StandardCharsets.UTF_8, """
                movieId,title,genres
                10,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
                11,"American President, The (1995)",Comedy|Drama|Romance
                20,"Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",Comedy|Romance
                30,"The ""Great"" Escape (1963)",Action
                40,Hyena Road,(no genres listed)
                oops,Nothing (2000),Drama
                41,Babylon 5 (1993-1998),Sci-Fi
                42,"Broken quote (2000),Drama
                """);

        MovieLensData data = MovieLens.read(dir);

        assertThat(data.layout()).isEqualTo(Layout.MOVIELENS_CSV);
        RatingLog r = data.ratings();
        assertThat(r.size()).isEqualTo(4);
        assertThat(timestamps(r)).containsExactly(900_000_000_000L, 964_981_247_000L, 964_982_703_000L, 1_537_799_250_000L);
        assertThat(r.get(0).userId()).isEqualTo(3);
        assertThat(r.get(1).rating()).isEqualTo(3.5f);
        assertThat(r.get(3).movieId()).isEqualTo(11);
        assertThat(data.badRows().first()).extracting(BadRows.BadRow::file, BadRows.BadRow::line)
                .containsExactly(
                        tuple("ratings.csv", 4L), tuple("ratings.csv", 5L), tuple("ratings.csv", 6L),
                        tuple("ratings.csv", 8L), tuple("ratings.csv", 9L), tuple("ratings.csv", 10L),
                        tuple("movies.csv", 7L), tuple("movies.csv", 9L));
        assertThat(data.badRows().first().get(0).reason()).contains("rating 'abc' is not a number");
        assertThat(data.badRows().first().get(1).reason()).contains("off the scale");
        assertThat(data.badRows().first().get(2).reason()).contains("off the scale");
        assertThat(data.badRows().first().get(3).reason()).contains("userId 'x'");
        assertThat(data.badRows().first().get(4).reason()).isEqualTo("expected 4 fields, found 3");
        assertThat(data.badRows().first().get(5).reason()).contains("outside 1995-01-01");
        assertThat(data.badRows().first().get(6).reason()).contains("movieId 'oops'");
        assertThat(data.badRows().first().get(7).reason()).contains("unbalanced quotes");
        assertThat(data.badRows().count()).isEqualTo(8);

        assertThat(data.movies()).containsExactly(
                new Movie(10, "Toy Story", 1995, List.of("Adventure", "Animation", "Children", "Comedy", "Fantasy")),
                new Movie(11, "American President, The", 1995, List.of("Comedy", "Drama", "Romance")),
                new Movie(20, "Amélie (Fabuleux destin d'Amélie Poulain, Le)", 2001, List.of("Comedy", "Romance")),
                new Movie(30, "The \"Great\" Escape", 1963, List.of("Action")),
                new Movie(40, "Hyena Road", null, List.of()),
                new Movie(41, "Babylon 5", 1993, List.of("Sci-Fi")));
    }

    @Test
    void findsColumnsByHeaderNameAndToleratesAByteOrderMarkAndExtraColumns() throws IOException {
        Files.write(dir.resolve("ratings.csv"), concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                "timestamp,extra,movieId,userId,rating\n1000000000,z,7,5,2.5\n".getBytes(StandardCharsets.UTF_8)));
        write("movies.csv", StandardCharsets.UTF_8, "movieId,title,genres\n7,Heat (1995),Action|Crime|Thriller\n");

        MovieLensData data = MovieLens.read(dir);

        assertThat(data.ratings().size()).isEqualTo(1);
        assertThat(data.ratings().get(0)).isEqualTo(new io.streamrec.contract.Rating(5, 7, 2.5f, 1_000_000_000_000L));
        assertThat(data.badRows().count()).isZero();
    }

    @Test
    void refusesACsvWithoutTheColumnsItNeeds() throws IOException {
        write("ratings.csv", StandardCharsets.UTF_8, "1,10,4.0,964982703\n");
        write("movies.csv", StandardCharsets.UTF_8, "movieId,title,genres\n");

        assertThatThrownBy(() -> MovieLens.read(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ratings.csv: the header must name the columns userId, movieId, rating, timestamp");
    }

    @Test
    void readsKaggleMl20mWithDateTimeTimestampsAsUtc() throws IOException {
        write("rating.csv", StandardCharsets.UTF_8, """
                userId,movieId,rating,timestamp
                1,2,3.5,2005-04-02 23:53:47
                1,29,3.5,2005-04-02 23:31:16
                1,32,3.5,2005-02-30 10:00:00
                1,47,3.5,yesterday
                2,3,4.0,1996-12-25 13:00:00
                """);
        write("movie.csv", StandardCharsets.UTF_8, """
                movieId,title,genres
                2,Jumanji (1995),Adventure|Children|Fantasy
                29,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Drama|Fantasy|Mystery|Sci-Fi
                """);

        MovieLensData data = MovieLens.read(dir);

        assertThat(data.layout()).isEqualTo(Layout.KAGGLE_CSV);
        assertThat(timestamps(data.ratings())).containsExactly(
                Instant.parse("1996-12-25T13:00:00Z").toEpochMilli(),
                Instant.parse("2005-04-02T23:31:16Z").toEpochMilli(),
                Instant.parse("2005-04-02T23:53:47Z").toEpochMilli());
        assertThat(data.badRows().first()).extracting(BadRows.BadRow::line).containsExactly(4L, 5L);
        assertThat(data.badRows().first().get(0).reason()).contains("neither epoch seconds nor YYYY-MM-DD HH:MM:SS");
        assertThat(data.movies()).extracting(Movie::title)
                .containsExactly("Jumanji", "City of Lost Children, The (Cité des enfants perdus, La)");
    }

    @Test
    void readsMl1mDatFilesWithLatin1Titles() throws IOException {
        write("ratings.dat", StandardCharsets.US_ASCII, """
                1::1193::5::978300760
                1::661::3::978302109
                2::1193::6::978300760
                two::1193::4::978300760
                3::1193::4::978300760::extra
                3::3114::1::978301968
                """);
        write("movies.dat", StandardCharsets.ISO_8859_1, """
                1193::One Flew Over the Cuckoo's Nest (1975)::Drama
                661::James and the Giant Peach (1996)::Animation|Children's|Musical
                3114::Toy Story 2 (1999)::Animation|Children's|Comedy
                1294::M*A*S*H (a.k.a. MASH) (1970)::Comedy|War
                2000::Café au lait (Métisse) (1993)::Comedy
                """);

        MovieLensData data = MovieLens.read(dir);

        assertThat(data.layout()).isEqualTo(Layout.DAT);
        assertThat(data.ratings().size()).isEqualTo(3);
        assertThat(data.ratings().get(0).rating()).isEqualTo(5f);
        assertThat(data.badRows().first()).extracting(BadRows.BadRow::line).containsExactly(3L, 4L, 5L);
        assertThat(data.badRows().first().get(2).reason()).isEqualTo("expected 4 fields, found 5");
        assertThat(data.movies()).filteredOn(m -> m.movieId() == 2000).singleElement()
                .isEqualTo(new Movie(2000, "Café au lait (Métisse)", 1993, List.of("Comedy")));
        assertThat(data.movies()).filteredOn(m -> m.movieId() == 1294).singleElement()
                .extracting(Movie::title).isEqualTo("M*A*S*H (a.k.a. MASH)");
    }

    @Test
    void readsMl100kWithGenreFlagsNamedByUGenre() throws IOException {
        write("u.data", StandardCharsets.US_ASCII, "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t0\t878887116\n"
                + "244\t51\t2\n");
        write("u.genre", StandardCharsets.US_ASCII, """
                unknown|0
                Action|1
                Adventure|2
                Animation|3
                Children's|4
                Comedy|5
                Crime|6
                Documentary|7
                Drama|8
                Fantasy|9
                Film-Noir|10
                Horror|11
                Musical|12
                Mystery|13
                Romance|14
                Sci-Fi|15
                Thriller|16
                War|17
                Western|18

                """);
        write("u.item", StandardCharsets.ISO_8859_1,
                "242|Kolya (1996)|24-Jan-1997||http://us.imdb.com/M/title-exact?Kolya%20(1996)|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
                        + "302|L.A. Confidential (1997)|01-Jan-1997||http://x|0|0|0|0|0|0|1|0|0|0|1|0|0|1|0|0|1|0|0\n"
                        + "267|unknown||||1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
                        + "1300|'Til There Was You|23-May-1997||http://x|0|0|0|0|0|0|0|0|1|0|0|0|0|0|1|0|0|0|0\n"
                        + "1301|Á köldum klaka (Cold Fever) (1994)|08-Mar-1996||http://x|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
                        + "1302|Too Few Fields (1995)|01-Jan-1995||http://x|0|0|1\n"
                        + "1303|Bad Flag (1995)|01-Jan-1995||http://x|0|0|0|0|0|2|0|0|0|0|0|0|0|0|0|0|0|0|0\n");

        MovieLensData data = MovieLens.read(dir);

        assertThat(data.layout()).isEqualTo(Layout.ML_100K);
        assertThat(data.ratings().size()).isEqualTo(2);
        assertThat(data.ratings().get(0)).isEqualTo(new io.streamrec.contract.Rating(196, 242, 3f, 881_250_949_000L));
        assertThat(data.badRows().first()).extracting(BadRows.BadRow::file, BadRows.BadRow::line).containsExactly(
                tuple("u.data", 3L), tuple("u.data", 4L), tuple("u.item", 6L), tuple("u.item", 7L));
        assertThat(data.movies()).containsExactly(
                new Movie(242, "Kolya", 1996, List.of("Comedy")),
                new Movie(267, "unknown", null, List.of()),
                new Movie(302, "L.A. Confidential", 1997, List.of("Crime", "Film-Noir", "Mystery", "Thriller")),
                new Movie(1300, "'Til There Was You", 1997, List.of("Drama", "Romance")),
                new Movie(1301, "Á köldum klaka (Cold Fever)", 1994, List.of("Comedy")));
    }

    @Test
    void findsTheDatasetOneDirectoryDownAsAZipUnpacksAndNamesWhatItExpects() throws IOException {
        Path inner = Files.createDirectories(dir.resolve("ml-1m"));
        Files.writeString(inner.resolve("ratings.dat"), "1::1::4::978300760\n");
        Files.writeString(inner.resolve("movies.dat"), "1::Toy Story (1995)::Animation\n");

        assertThat(MovieLens.read(dir).dir()).isEqualTo(inner);
        assertThatThrownBy(() -> MovieLens.read(inner.resolve("nothing-here")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a directory");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> MovieLens.read(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no MovieLens dataset").hasMessageContaining("u.data + u.item");
    }

    @Test
    void parsesTitleAndYearEdgeCases() throws IOException {
        write("ratings.csv", StandardCharsets.UTF_8, "userId,movieId,rating,timestamp\n");
        write("movies.csv", StandardCharsets.UTF_8, """
                movieId,title,genres
                1,2001: A Space Odyssey (1968),Sci-Fi
                2,1408 (2007),Horror
                3,"Fight Club (1999) ",Drama
                4,Cosmos,Documentary
                5,Stranger Things (2016-),Drama
                6,(1995),Drama
                7,"Adventures of Rocky and Bullwinkle, The (2000)",Comedy
                8,Some Movie (1850),Drama
                """);

        MovieLensData data = MovieLens.read(dir);

        assertThat(data.movies()).extracting(Movie::movieId, Movie::title, Movie::year).containsExactly(
                tuple(1L, "2001: A Space Odyssey", 1968),
                tuple(2L, "1408", 2007),
                tuple(3L, "Fight Club", 1999),
                tuple(4L, "Cosmos", null),
                tuple(5L, "Stranger Things", 2016),
                tuple(6L, "(1995)", null),
                tuple(7L, "Adventures of Rocky and Bullwinkle, The", 2000));
        assertThat(data.badRows().first()).singleElement().satisfies(b -> {
            assertThat(b.line()).isEqualTo(9);
            assertThat(b.reason()).contains("breaks movie.schema.json");
        });
    }

    @Test
    void readsTheRealMlLatestSmallCompletely() {
        Path real = Path.of("../../../shared/data/movielens/ml-latest-small");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(real), "../shared/data is not on this machine");

        MovieLensData data = MovieLens.read(real);

        assertThat(data.ratings().size()).isEqualTo(100_836);
        assertThat(data.movies()).hasSize(9_742);
        assertThat(data.badRows().count()).isZero();
        assertThat(data.ratings().distinctUsers()).isEqualTo(610);
        assertThat(data.ratings().distinctItems()).isEqualTo(9_724);
        assertThat(data.ratings().timestamp(0)).isEqualTo(828_124_615_000L);
        assertThat(data.ratings().timestamp(data.ratings().size() - 1)).isEqualTo(1_537_799_250_000L);
        for (int i = 1; i < data.ratings().size(); i++) {
            assertThat(data.ratings().timestamp(i)).isGreaterThanOrEqualTo(data.ratings().timestamp(i - 1));
        }
        assertThat(data.movies().get(0)).isEqualTo(new Movie(1, "Toy Story", 1995,
                List.of("Adventure", "Animation", "Children", "Comedy", "Fantasy")));
    }

    private void write(String name, Charset charset, String text) throws IOException {
        Files.write(dir.resolve(name), text.getBytes(charset));
    }

    private static long[] timestamps(RatingLog log) {
        long[] t = new long[log.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = log.timestamp(i);
        }
        return t;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
