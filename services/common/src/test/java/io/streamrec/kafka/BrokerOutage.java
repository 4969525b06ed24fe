package io.streamrec.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What tests that stop a broker and start it again need: a fixed port to bring it back on, and a wait for what a
 * probe then reports. Shared with the other modules' tests through this module's test-jar.
 */
public final class BrokerOutage {
    private BrokerOutage() {
    }

    /** A port free on localhost now, for a broker that must come back on the same one. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
            return socket.getLocalPort();
        }
    }

    /** Polls {@code value} every 100 ms until {@code done} holds or {@code limit} passes; returns the last value. */
    public static <T> T await(Supplier<T> value, Predicate<T> done, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        T now = value.get();
        while (!done.test(now) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = value.get();
        }
        return now;
    }
}
