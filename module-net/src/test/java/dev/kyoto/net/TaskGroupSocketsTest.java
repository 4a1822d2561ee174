package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.sync.Semaphore;
import dev.kyoto.runtime.task.TaskGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A group closed while its members are in the middle of their connections leaves no task
 * running and no descriptor or registration behind, and every peer sees its connection end; the
 * same when the task that owns the group is aborted.
 */
class TaskGroupSocketsTest {
    private static final int CONNECTIONS = 32;

    @BeforeAll
    static void openWhatTheJdkKeepsOpen() throws IOException {
        Loopback.openJdkPreCloseDescriptor();
    }

    /** Echoes until end of stream; signals {@code echoed} after each write. */
    private static Async<Void> echo(TcpStream s, Semaphore echoed) {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        return Async.loop(() -> s.read(buf.clear()).then(n -> n < 0 ? Async.ready(false)
                : s.writeAll(buf.flip()).map(v -> {
                    echoed.addPermits(1);
                    return true;
                })));
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.net.Loopback#flavours")
    void closingAGroupMidFlightLeavesNoTaskRunningAndNoDescriptorOpen(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = flavour.get(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                long fds = Loopback.openDescriptors();
                long registrations = Released.registrations(rt);
                List<Socket> peers = connect(listener);
                try {
                    Semaphore echoed = new Semaphore(0);
                    TaskGroup<Void> group = rt.blockOn(Async.defer(() -> Async.ready(TaskGroup.<Void>open())));
                    List<JoinHandle<Void>> members = new ArrayList<>();
                    for (int i = 0; i < CONNECTIONS; i++) {
                        TcpStream accepted = rt.blockOn(listener.accept());
                        members.add(group.spawn("conn-" + i, Async.using(accepted, s -> echo(s, echoed))));
                    }
                    // On a blocking thread, so that a current-thread runtime runs the echoes meanwhile.
                    rt.blockOn(rt.spawnBlocking(() -> exchangeOnEach(peers)));
                    rt.blockOn(echoed.acquire(CONNECTIONS)).close();

                    group.close();
                    for (JoinHandle<Void> m : members) {
                        assertThrows(CancellationException.class, () -> rt.blockOn(m), "a member outlived its closed group");
                    }
                    assertEquals(CONNECTIONS, group.size(), "closed, not yet joined");
                    rt.blockOn(group.shutdown());
                    assertEquals(0, group.size());
                    Released.await(rt, fds + CONNECTIONS, registrations, "only the peers' own sockets are left");
                    for (Socket p : peers) {
                        assertEquals(-1, p.getInputStream().read(), "the peer sees its connection end");
                    }
                } finally {
                    for (Socket p : peers) {
                        p.close();
                    }
                }
                assertEquals(fds, Loopback.awaitDescriptors(rt, fds), "every descriptor back");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.net.Loopback#flavours")
    void abortingTheTaskThatOwnsTheGroupClosesEveryConnectionItServes(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = flavour.get(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                long fds = Loopback.openDescriptors();
                long registrations = Released.registrations(rt);
                List<Socket> peers = connect(listener);
                try {
                    Semaphore echoed = new Semaphore(0);
                    // The owner accepts CONNECTIONS connections into its group, then waits on them.
                    JoinHandle<Void> owner = rt.spawn("server", Async.defer(() -> {
                        TaskGroup<Void> group = TaskGroup.open();
                        int[] accepted = {0};
                        return Async.loop(() -> listener.accept().map(s -> {
                            group.spawn(Async.using(s, conn -> echo(conn, echoed)));
                            return ++accepted[0] < CONNECTIONS;
                        })).then(v -> group.joinAll()).map(values -> null);
                    }));
                    // On a blocking thread, so that a current-thread runtime runs the echoes meanwhile.
                    rt.blockOn(rt.spawnBlocking(() -> exchangeOnEach(peers)));
                    rt.blockOn(echoed.acquire(CONNECTIONS)).close();
                    owner.abort();
                    assertThrows(CancellationException.class, () -> rt.blockOn(owner));
                    Released.await(rt, fds + CONNECTIONS, registrations, "the owner's members closed their sockets");
                    for (Socket p : peers) {
                        assertEquals(-1, p.getInputStream().read(), "the peer sees its connection end");
                    }
                } finally {
                    for (Socket p : peers) {
                        p.close();
                    }
                }
                assertEquals(fds, Loopback.awaitDescriptors(rt, fds), "every descriptor back");
            }
        });
    }

    private static List<Socket> connect(TcpListener listener) throws IOException {
        List<Socket> peers = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket p = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort());
            p.setSoTimeout(30_000);
            peers.add(p);
        }
        return peers;
    }

    /** One round trip on each connection, so every member is in the middle of its echo loop. */
    private static Void exchangeOnEach(List<Socket> peers) throws IOException {
        byte[] ping = "ping".getBytes();
        for (Socket p : peers) {
            OutputStream out = p.getOutputStream();
            out.write(ping);
            out.flush();
        }
        for (Socket p : peers) {
            InputStream in = p.getInputStream();
            byte[] got = in.readNBytes(ping.length);
            assertEquals("ping", new String(got));
        }
        return null;
    }
}
