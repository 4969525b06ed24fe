package io.streamrec.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RatedItemsTest {
    @Test
    void recordsEachItemOnce() {
        RatedItems rated = new RatedItems();
        for (int item = 0; item < 100; item++) {
            assertThat(rated.add(3, item * 7)).isTrue();
        }
        assertThat(rated.add(3, 7)).isFalse();
        assertThat(rated.size(3)).isEqualTo(100);
        int[] items = rated.items(3);
        Arrays.sort(items);
        assertThat(items).hasSize(100).startsWith(0, 7, 14).endsWith(693);
        assertThat(rated.contains(3, 14)).isTrue();
        assertThat(rated.contains(3, 15)).isFalse();
        assertThat(rated.items(2000)).isEmpty();
    }

    /**
     * The service records rated items on its consuming thread while the training thread reads them (the
     * prequential evaluator's full ranking): a read may be stale, never fail. It did fail: bench stream stopped
     * with an ArrayIndexOutOfBoundsException in items() after 2.7M ratings, a set having grown between reading
     * its size and its slots.
     */
    @Test
    void aReaderBesideTheWriterSeesAStaleViewNeverAFailure() throws Exception {
        for (int round = 0; round < 5; round++) {
            readWhileWriting();
        }
    }

    private static void readWhileWriting() throws Exception {
        RatedItems rated = new RatedItems();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch reading = new CountDownLatch(1);
        int users = 64;
        int perUser = 4_000;
        Thread writer = new Thread(() -> {
            try {
                reading.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int item = 0; item < perUser; item++) {
                for (int user = 0; user < users; user++) {
                    rated.add(user * 37, item); // users far apart: the per-user arrays grow too
                }
            }
        });
        Thread reader = new Thread(() -> {
            try {
                reading.countDown();
                while (writer.isAlive()) {
                    for (int user = 0; user < users; user++) {
                        for (int item : rated.items(user * 37)) {
                            if (item < 0 || item >= perUser) {
                                throw new AssertionError("an item never recorded: " + item);
                            }
                        }
                        rated.contains(user * 37, user);
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        writer.start();
        reader.start();
        writer.join();
        reader.join();
        assertThat(failure.get()).as("the reader's failure").isNull();
        for (int user = 0; user < users; user++) {
            assertThat(rated.items(user * 37)).hasSize(perUser);
        }
    }
}
