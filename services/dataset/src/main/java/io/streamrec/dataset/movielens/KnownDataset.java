package io.streamrec.dataset.movielens;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The GroupLens archives {@code download} knows by name, with the size and SHA-256 every copy must have. The
 * figures are TensorFlow Datasets' record of the GroupLens files ({@code tensorflow_datasets/url_checksums/
 * movielens.txt}); for ml-latest-small they were also checked against a copy of the GroupLens archive, whose
 * MD5 is the one GroupLens publishes (31a303aabbc519bd33d025e44d6c2570).
 */
public enum KnownDataset {
    ML_LATEST_SMALL("ml-latest-small", 978_202L, "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436"),
    ML_25M("ml-25m", 261_978_986L, "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa"),
    ML_20M("ml-20m", 198_702_078L, "96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3"),
    ML_1M("ml-1m", 5_917_549L, "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20"),
    ML_100K("ml-100k", 4_924_029L, "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229");

    public final String id;
    public final long bytes;
    public final String sha256;

    KnownDataset(String id, long bytes, String sha256) {
        this.id = id;
        this.bytes = bytes;
        this.sha256 = sha256;
    }

    /** The archive's file name on GroupLens' server. */
    public String zipName() {
        return id + ".zip";
    }

    /** The dataset called this ("ml-25m"), or empty. */
    public static Optional<KnownDataset> named(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(d -> d.id.equals(n)).findFirst();
    }

    /** The dataset whose archive has this file name ("ml-25m.zip"), or empty. */
    public static Optional<KnownDataset> ofZip(String fileName) {
        return Arrays.stream(values()).filter(d -> d.zipName().equalsIgnoreCase(fileName)).findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(d -> d.id).collect(Collectors.joining(", "));
    }
}
