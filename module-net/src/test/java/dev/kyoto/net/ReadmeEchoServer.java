package dev.kyoto.net;

import dev.kyoto.io.Io;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import java.io.IOException;

/**
 * The echo server of README.md: its {@code serve} and {@code echo} methods, verbatim
 * ({@link DocumentedCodeTest} checks that they are). The README's whole program, {@code main} included,
 * is compiled and run as it stands by module-cli's {@code DocumentedProgramsTest}.
 */
final class ReadmeEchoServer {
    private ReadmeEchoServer() {
    }

    static Async<Void> serve(TcpListener listener) {
        AcceptBackoff backoff = new AcceptBackoff((failure, pause) -> System.err.println(
                "cannot accept: " + failure.getMessage() + "; retrying in " + pause.toMillis() + " ms"));
        return Async.loop(() -> backoff.accept(listener).map(s -> {
            Handle.current().spawn(Async.using(s, conn -> echo(conn)).recover(IOException.class, e -> null));
            return true;
        }));
    }

    static Async<Long> echo(TcpStream s) {
        return Io.copy(s, s);
    }
}
