package dev.kyoto.net.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LoadClient} in a JVM of its own, and the conversation with it. Commands are sent from
 * one thread of this object's (started with the process, so that sending needs nothing this
 * process might be out of): {@link #send} returns at once, and the test awaits the answer as a
 * Kyoto computation while its thread drives the runtime.
 */
final class ClientProcess implements AutoCloseable {
    private final Process process;
    private final PrintStream commands;
    private final BufferedReader answers;
    private final ExecutorService conversation;

    private ClientProcess(Process process) {
        this.process = process;
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.conversation = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("load-client").unstarted(r));
        // Starts the thread now, while threads and descriptors are to be had.
        CompletableFuture.runAsync(() -> { }, conversation).join();
    }

    /** Starts a client of {@code server}: this JVM's {@code java}, the test classes on the class path. */
    static ClientProcess start(InetSocketAddress server) throws IOException {
        String testClasses = System.getProperty("kyoto.testClasses");
        if (testClasses == null) {
            throw new IllegalStateException("surefire must set the kyoto.testClasses system property (see module-net/pom.xml)");
        }
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", testClasses, LoadClient.class.getName(),
                server.getAddress().getHostAddress(), Integer.toString(server.getPort()));
        return new ClientProcess(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /** Sends {@code command}; the future completes with the answer, or fails if it is an error or the client died. */
    CompletableFuture<String> send(String command) {
        return CompletableFuture.supplyAsync(() -> {
            commands.println(command);
            String answer;
            try {
                answer = answers.readLine();
            } catch (IOException e) {
                throw new IllegalStateException("the load client's output failed after '" + command + "'", e);
            }
            if (answer == null || answer.startsWith("error")) {
                throw new IllegalStateException("the load client failed '" + command + "': " + answer);
            }
            return answer;
        }, conversation);
    }

    /** The number in field {@code index} of {@code answer} ({@code "echoed 10000 57"}: 1 is the count, 2 the time). */
    static long field(String answer, int index) {
        return Long.parseLong(answer.split(" ")[index]);
    }

    /** Ends the client (end of its input) and waits for it to exit. */
    @Override
    public void close() throws Exception {
        commands.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        answers.close();
        conversation.shutdownNow();
    }
}
