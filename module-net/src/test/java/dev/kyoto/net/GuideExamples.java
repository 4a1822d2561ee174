package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.task.CancellationToken;
import dev.kyoto.runtime.task.TaskGroup;
import dev.kyoto.runtime.task.TaskTracker;
import dev.kyoto.runtime.time.Time;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The examples of docs/structured-concurrency.md, verbatim ({@link DocumentedCodeTest} checks that they are);
 * {@link GuideExamplesTest} runs them.
 */
final class GuideExamples {
    private GuideExamples() {
    }

    static Async<String> ask(String address, String question) {
        return TcpStream.connect(address).then(stream -> Async.using(stream, s -> {
            ByteBuffer answer = ByteBuffer.allocate(1024);
            return s.writeAll(ByteBuffer.wrap(question.getBytes(StandardCharsets.UTF_8)))
                    .then(v -> s.read(answer))
                    .map(n -> new String(answer.array(), 0, Math.max(n, 0), StandardCharsets.UTF_8));
        }));
    }

    static Async<String> askWithin(Duration limit, String address, String question) {
        return Time.timeout(limit, ask(address, question));
    }

    static Async<List<String>> askAll(List<String> addresses, String question) {
        return Async.all(addresses.stream().map(a -> ask(a, question)).toList());
    }

    static Async<String> askEither(String primary, String replica, String question) {
        return Async.race(ask(primary, question), ask(replica, question));
    }

    static Async<List<String>> askAllAsTasks(List<String> addresses, String question) {
        return Async.defer(() -> Async.using(TaskGroup.<String>open(), group -> {
            for (String a : addresses) {
                group.spawn("ask " + a, ask(a, question));
            }
            return group.joinAll();
        }));
    }

    static Async<Void> serve(TcpListener listener, CancellationToken shutdown, Duration grace) {
        TaskTracker connections = new TaskTracker();
        CancellationToken abort = new CancellationToken();
        Async<Void> accepting = Async.loop(() -> listener.accept().map(s -> {
            connections.spawn(Async.race(Async.using(s, conn -> echo(conn)), abort.cancelled()));
            return true;
        }));
        return Async.race(accepting, shutdown.cancelled())
                .then(v -> {
                    listener.close();
                    connections.close();
                    return Async.race(connections.drained(), Time.sleep(grace));
                })
                .then(v -> {
                    abort.cancel();
                    return connections.drained();
                });
    }

    static Async<Void> echo(TcpStream s) {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        return Async.loop(() -> s.read(buf.clear()).then(n -> n < 0 ? Async.ready(false)
                : s.writeAll(buf.flip()).map(v -> true)));
    }
}
