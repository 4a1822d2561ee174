package dev.kyoto.examples.redis.command;

import java.nio.charset.StandardCharsets;

/** An entry of the command table: a name, its arity, where it may run, and its handler. */
final class Command {
    private final String name;
    private final byte[] nameBytes;
    private final int arity;
    private final boolean inSubscribedMode;
    private final Handler handler;

    /**
     * @param name the name in lower case, as Redis names commands in its errors
     * @param arity as in Redis's command table: the argument count including the name, or its
     *        negative for "at least that many"
     * @param inSubscribedMode whether a subscribed connection may run it
     * @param handler what it does
     */
    Command(String name, int arity, boolean inSubscribedMode, Handler handler) {
        this.name = name;
        this.nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        this.arity = arity;
        this.inSubscribedMode = inSubscribedMode;
        this.handler = handler;
    }

    String name() {
        return name;
    }

    boolean inSubscribedMode() {
        return inSubscribedMode;
    }

    Handler handler() {
        return handler;
    }

    /** Whether {@code argc} arguments, the name included, fit this command's arity. */
    boolean accepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    /** Whether {@code candidate} is this command's name, in any case. */
    boolean named(byte[] candidate) {
        return Args.equalsIgnoreCase(candidate, nameBytes);
    }

    @Override
    public String toString() {
        return name;
    }
}
