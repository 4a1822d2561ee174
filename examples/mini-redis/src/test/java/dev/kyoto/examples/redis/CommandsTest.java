package dev.kyoto.examples.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.examples.redis.resp.Frame;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every command against a server on a real socket, with the replies Redis gives. Each test uses keys of its own. */
@Timeout(60)
class CommandsTest {
    private static final Frame OK = new Frame.Simple("OK");
    private static final Frame NIL = Frame.NULL_BULK;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void pingAndEcho() throws Exception {
        try (RespClient c = server.client()) {
            assertEquals(new Frame.Simple("PONG"), c.call("PING"));
            assertEquals(bulk("hi there"), c.call("ping", "hi there"));
            assertEquals(bulk("x\r\ny"), c.call("ECHO", "x\r\ny"));
            assertEquals(error("ERR wrong number of arguments for 'ping' command"), c.call("PING", "a", "b"));
        }
    }

    @Test
    void unknownCommandsAndWrongArityAreErrorsAndTheConnectionStaysOpen() throws Exception {
        try (RespClient c = server.client()) {
            assertEquals(error("ERR unknown command 'foo', with args beginning with: 'bar' 'baz' "), c.call("foo", "bar", "baz"));
            assertEquals(error("ERR unknown command 'HELLO', with args beginning with: "), c.call("HELLO"));
            assertEquals(error("ERR wrong number of arguments for 'get' command"), c.call("GET"));
            assertEquals(error("ERR wrong number of arguments for 'set' command"), c.call("SET", "k"));
            assertEquals(new Frame.Simple("PONG"), c.call("PING"));
        }
    }

    @Test
    void getSetDelExists() throws Exception {
        try (RespClient c = server.client()) {
            assertEquals(NIL, c.call("GET", "gs:a"));
            assertEquals(OK, c.call("SET", "gs:a", "1"));
            assertEquals(bulk("1"), c.call("get", "gs:a"));
            assertEquals(OK, c.call("SET", "gs:a", "binary\r\n\u0000value"));
            assertEquals(bulk("binary\r\n\u0000value"), c.call("GET", "gs:a"));
            assertEquals(OK, c.call("SET", "gs:b", ""));
            assertEquals(bulk(""), c.call("GET", "gs:b"));
            assertEquals(integer(3), c.call("EXISTS", "gs:a", "gs:b", "gs:a", "gs:none"));
            assertEquals(integer(2), c.call("DEL", "gs:a", "gs:b", "gs:none"));
            assertEquals(integer(0), c.call("EXISTS", "gs:a"));
            assertEquals(NIL, c.call("GET", "gs:a"));
        }
    }

    @Test
    void setNxAndXx() throws Exception {
        try (RespClient c = server.client()) {
            assertEquals(NIL, c.call("SET", "nx:a", "1", "XX"));
            assertEquals(NIL, c.call("GET", "nx:a"));
            assertEquals(OK, c.call("SET", "nx:a", "1", "NX"));
            assertEquals(NIL, c.call("SET", "nx:a", "2", "nx"));
            assertEquals(bulk("1"), c.call("GET", "nx:a"));
            assertEquals(OK, c.call("SET", "nx:a", "3", "XX"));
            assertEquals(bulk("3"), c.call("GET", "nx:a"));
            assertEquals(error("ERR syntax error"), c.call("SET", "nx:a", "4", "NX", "XX"));
            assertEquals(error("ERR syntax error"), c.call("SET", "nx:a", "4", "EX", "10", "PX", "100"));
            assertEquals(error("ERR syntax error"), c.call("SET", "nx:a", "4", "EX"));
            assertEquals(error("ERR syntax error"), c.call("SET", "nx:a", "4", "FOO"));
            assertEquals(error("ERR invalid expire time in 'set' command"), c.call("SET", "nx:a", "4", "EX", "0"));
            assertEquals(error("ERR invalid expire time in 'set' command"), c.call("SET", "nx:a", "4", "PX", "-5"));
            assertEquals(error("ERR value is not an integer or out of range"), c.call("SET", "nx:a", "4", "EX", "ten"));
            assertEquals(bulk("3"), c.call("GET", "nx:a"));
        }
    }

    @Test
    void expiryOptionsAndTtl() throws Exception {
        try (RespClient c = server.client()) {
            assertEquals(integer(-2), c.call("TTL", "ttl:a"));
            assertEquals(OK, c.call("SET", "ttl:a", "v"));
            assertEquals(integer(-1), c.call("TTL", "ttl:a"));
            assertEquals(OK, c.call("SET", "ttl:a", "v", "EX", "100"));
            assertEquals(integer(100), c.call("TTL", "ttl:a"));
            assertEquals(OK, c.call("SET", "ttl:a", "v", "PX", "200000", "XX"));
            assertEquals(integer(200), c.call("TTL", "ttl:a"));
            long pttl = ((Frame.Int) c.call("PTTL", "ttl:a")).value();
            assertTrue(pttl > 190_000 && pttl <= 200_000, "PTTL " + pttl);
            // A SET without an expiry clears the key's.
            assertEquals(OK, c.call("SET", "ttl:a", "v"));
            assertEquals(integer(-1), c.call("TTL", "ttl:a"));
            assertEquals(integer(1), c.call("EXPIRE", "ttl:a", "50"));
            assertEquals(integer(50), c.call("TTL", "ttl:a"));
            assertEquals(integer(0), c.call("EXPIRE", "ttl:none", "50"));
            assertEquals(error("ERR value is not an integer or out of range"), c.call("EXPIRE", "ttl:a", "soon"));
            // A time not in the future deletes the key.
            assertEquals(integer(1), c.call("EXPIRE", "ttl:a", "-1"));
            assertEquals(integer(-2), c.call("TTL", "ttl:a"));
            assertEquals(integer(0), c.call("EXISTS", "ttl:a"));
        }
    }

    /** A short PX seen to pass; the wait is bounded, and waits on the server's clock, not on a sleep. */
    @Test
    void aShortExpiryPasses() throws Exception {
        try (RespClient c = server.client()) {
            // px:b is set first, so it expires no later than px:a.
            assertEquals(OK, c.call("SET", "px:b", "v", "PX", "50"));
            assertEquals(OK, c.call("SET", "px:a", "v", "PX", "50"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // TTL (-2 once gone) is the observation; the loop ends as soon as the key expires.
            while (!c.call("TTL", "px:a").equals(integer(-2))) {
                assertTrue(System.nanoTime() < deadline, "px:a still exists 30 s after a PX of 50 ms");
            }
            assertEquals(NIL, c.call("GET", "px:a"));
            assertEquals(integer(0), c.call("EXISTS", "px:b"));
        }
    }

    @Test
    void incrAndDecr() throws Exception {
        try (RespClient c = server.client()) {
            assertEquals(integer(1), c.call("INCR", "n:a"));
            assertEquals(integer(2), c.call("INCR", "n:a"));
            assertEquals(integer(1), c.call("DECR", "n:a"));
            assertEquals(integer(-1), c.call("DECR", "n:b"));
            assertEquals(bulk("1"), c.call("GET", "n:a"));
            assertEquals(OK, c.call("SET", "n:c", "abc"));
            assertEquals(error("ERR value is not an integer or out of range"), c.call("INCR", "n:c"));
            assertEquals(OK, c.call("SET", "n:c", " 1"));
            assertEquals(error("ERR value is not an integer or out of range"), c.call("INCR", "n:c"));
            assertEquals(OK, c.call("SET", "n:c", "9223372036854775807"));
            assertEquals(error("ERR increment or decrement would overflow"), c.call("INCR", "n:c"));
            assertEquals(OK, c.call("SET", "n:c", "-9223372036854775808"));
            assertEquals(error("ERR increment or decrement would overflow"), c.call("DECR", "n:c"));
            // INCR keeps the key's expiry.
            assertEquals(OK, c.call("SET", "n:d", "10", "EX", "100"));
            assertEquals(integer(11), c.call("INCR", "n:d"));
            assertEquals(integer(100), c.call("TTL", "n:d"));
        }
    }

    @Test
    void mgetAndMset() throws Exception {
        try (RespClient c = server.client()) {
            assertEquals(OK, c.call("MSET", "m:a", "1", "m:b", "2"));
            assertEquals(Frame.Array.of(bulk("1"), NIL, bulk("2")), c.call("MGET", "m:a", "m:none", "m:b"));
            assertEquals(error("ERR wrong number of arguments for 'mset' command"), c.call("MSET", "m:a", "1", "m:b"));
            assertEquals(bulk("1"), c.call("GET", "m:a"));
        }
    }

    @Test
    void configCommandClientAndSelect() throws Exception {
        try (RespClient c = server.client()) {
            assertEquals(Frame.Array.of(bulk("save"), bulk("")), c.call("CONFIG", "GET", "save"));
            assertEquals(Frame.Array.of(bulk("appendonly"), bulk("no")), c.call("config", "get", "appendonly"));
            assertEquals(Frame.Array.of(), c.call("CONFIG", "GET", "maxmemory"));
            assertEquals(error("ERR unknown subcommand 'rewrite'. Try CONFIG HELP."), c.call("CONFIG", "rewrite"));
            assertEquals(Frame.Array.of(), c.call("COMMAND"));
            assertEquals(Frame.Array.of(), c.call("COMMAND", "DOCS"));
            assertEquals(OK, c.call("CLIENT", "SETNAME", "test"));
            assertEquals(OK, c.call("SELECT", "0"));
            assertEquals(error("ERR DB index is out of range"), c.call("SELECT", "1"));
        }
    }

    @Test
    void quitRepliesThenCloses() throws Exception {
        try (RespClient c = server.client()) {
            assertEquals(OK, c.call("QUIT"));
            assertTrue(c.closedByServer(), "the connection is still open after QUIT");
        }
    }

    @Test
    void inlineCommandsWork() throws Exception {
        try (RespClient c = server.client()) {
            c.sendRaw("PING\r\nSET inline:a 5\r\n\r\nGET inline:a\n".getBytes());
            assertEquals(new Frame.Simple("PONG"), c.read());
            assertEquals(OK, c.read());
            assertEquals(bulk("5"), c.read());
        }
    }

    @Test
    void dbsizeAndFlushdbOnAServerOfItsOwn() throws Exception {
        try (TestServer own = new TestServer(); RespClient c = own.client()) {
            assertEquals(integer(0), c.call("DBSIZE"));
            assertEquals(OK, c.call("MSET", "a", "1", "b", "2", "c", "3"));
            assertEquals(OK, c.call("SET", "d", "4", "EX", "100"));
            assertEquals(integer(4), c.call("DBSIZE"));
            assertEquals(OK, c.call("FLUSHDB"));
            assertEquals(integer(0), c.call("DBSIZE"));
            assertEquals(NIL, c.call("GET", "a"));
        }
    }

    /** The purge task removes an expired key nobody reads: DBSIZE, which expires nothing itself, drops. */
    @Test
    void thePurgeTaskRemovesExpiredKeysNobodyReads() throws Exception {
        try (TestServer own = new TestServer(); RespClient c = own.client()) {
            assertEquals(OK, c.call("SET", "later", "v", "EX", "1000"));
            // The purge task sleeps until the later deadline; an earlier one must wake it.
            assertEquals(OK, c.call("SET", "soon", "v", "PX", "20"));
            assertEquals(integer(2), c.call("DBSIZE"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!c.call("DBSIZE").equals(integer(1))) {
                assertTrue(System.nanoTime() < deadline, "a key that expired 30 s ago is still stored");
            }
            assertEquals(integer(1), c.call("EXISTS", "later"));
        }
    }

    static Frame bulk(String s) {
        return Frame.Bulk.of(s);
    }

    static Frame integer(long n) {
        return new Frame.Int(n);
    }

    static Frame error(String message) {
        return new Frame.Error(message);
    }}
