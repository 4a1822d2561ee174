/*
 * loadgen: the load generator of Kyoto's network benchmarks (scripts/netbench).
 *
 * One thread, one epoll instance, non-blocking sockets with TCP_NODELAY, so every server is
 * driven by the same client at a cost of at most one core, and the client's own overhead does not
 * depend on which server it measures. Modes:
 *
 *   pingpong  N connections; each sends SIZE bytes, waits for all SIZE to come back, repeats.
 *             One operation = one round trip; its latency runs from the write to the last byte.
 *   stream    N connections; each writes SIZE-byte chunks while reading the echo, with at most
 *             WINDOW bytes in flight. One operation = one chunk echoed; its latency runs from the
 *             chunk's first write to its last byte coming back.
 *   connect   CONCURRENCY slots; each connects, sends SIZE bytes, reads them back and closes, then
 *             starts again. One operation = one connection; its latency covers all of it.
 *   idle      memory per idle connection: reads the server's resident memory (VmRSS of --pid),
 *             opens N connections, echoes SIZE bytes once on each, waits SETTLE seconds and reads
 *             it again; reports the difference per connection. No warm-up or measured window.
 *
 * With --tls, pingpong, stream and connect speak TLS 1.3 (TLS_AES_128_GCM_SHA256 only, SNI
 * "localhost") through OpenSSL's libssl, non-blocking over the same epoll loop. pingpong and
 * stream finish their handshakes before the clock starts; in connect every cycle is a full
 * handshake (no session is ever resumed: the client keeps none), one echo, close_notify and
 * close, so its operations per second are handshakes per second. The server's certificate is
 * not verified: this is a load generator on loopback, not a client anyone trusts, and a chain
 * check would only add the client's CPU to what is measured. The plain path is untouched by it:
 * its functions are the same, and its event loop is compiled apart from the TLS one.
 *
 * The run warms up for WARMUP seconds, then measures for DURATION seconds; only operations that
 * complete inside the measured window count. With --pid, the server's user+system CPU time is read
 * from /proc/PID/stat at both ends of the window. Prints one line of JSON.
 *
 * Latencies go into a log-linear histogram (64 sub-buckets per power of two of nanoseconds: at
 * most 1.6 % error), no libraries.
 *
 * Build: gcc -O2 -o loadgen loadgen.c -lssl -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- histogram ---------------------------------------------------------------------------- */

#define SUB_BITS 6
#define SUB_COUNT (1 << SUB_BITS)
#define MAX_EXP 44 /* 2^44 ns is almost five hours: beyond any run */
#define BUCKETS ((MAX_EXP - SUB_BITS + 1) * SUB_COUNT)

static uint64_t hist[BUCKETS];
static uint64_t hist_count;
static uint64_t hist_max;

static int bucket_of(uint64_t v) {
    if (v < SUB_COUNT) return (int)v;
    int e = 63 - __builtin_clzll(v);
    if (e > MAX_EXP) return BUCKETS - 1;
    int shift = e - SUB_BITS;
    return (shift + 1) * SUB_COUNT + (int)((v >> shift) - SUB_COUNT);
}

/* The middle of a bucket's range, in ns. */
static double bucket_value(int i) {
    if (i < SUB_COUNT) return i;
    int shift = i / SUB_COUNT - 1;
    uint64_t low = (uint64_t)(SUB_COUNT + i % SUB_COUNT) << shift;
    return (double)low + (double)((1ULL << shift) - 1) / 2.0;
}

static void record(uint64_t ns) {
    hist[bucket_of(ns)]++;
    hist_count++;
    if (ns > hist_max) hist_max = ns;
}

static double percentile_us(double p) {
    if (hist_count == 0) return 0;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)hist_count);
    if (rank >= hist_count) rank = hist_count - 1;
    uint64_t seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
        seen += hist[i];
        if (seen > rank) return bucket_value(i) / 1000.0;
    }
    return (double)hist_max / 1000.0;
}

/* ---- clock, CPU ----------------------------------------------------------------------------- */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * utime + stime of a process (all its threads), in seconds, through *user and *sys; -1 if
 * unreadable. Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the name.
 */
static double process_cpu_s(int pid, double *user, double *sys) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long long utime = 0, stime = 0;
    /* After ")": state(3) ppid(4) ... utime(14) stime(15): skip 11 fields after the state. */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
    double hz = (double)sysconf(_SC_CLK_TCK);
    *user = utime / hz;
    *sys = stime / hz;
    return (utime + stime) / hz;
}

static double self_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- options ----------------------------------------------------------------------------- */

enum mode { PINGPONG, STREAM, CONNECT, IDLE };

static struct {
    const char *host;
    int port;
    enum mode mode;
    int connections;
    int concurrency;
    int size;
    long window;
    double warmup_s;
    double duration_s;
    int pid;
    double settle_s;
    int tls;
} opt = {"127.0.0.1", 0, PINGPONG, 1, 16, 64, 256 * 1024, 1.0, 5.0, 0, 2.0, 0};

static void usage(void) {
    fprintf(stderr,
            "usage: loadgen --port P [--host 127.0.0.1] [--mode pingpong|stream|connect|idle]\n"
            "               [--connections N] [--concurrency N] [--size BYTES] [--window BYTES]\n"
            "               [--warmup SECONDS] [--duration SECONDS] [--pid SERVER_PID]\n"
            "               [--settle SECONDS]   (idle: --pid is required)\n"
            "               [--tls]              (TLS 1.3; not with idle)\n");
    exit(2);
}

static void parse(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--tls")) {
            opt.tls = 1;
            continue;
        }
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--host")) opt.host = v;
        else if (!strcmp(a, "--port")) opt.port = atoi(v);
        else if (!strcmp(a, "--mode")) {
            if (!strcmp(v, "pingpong")) opt.mode = PINGPONG;
            else if (!strcmp(v, "stream")) opt.mode = STREAM;
            else if (!strcmp(v, "connect")) opt.mode = CONNECT;
            else if (!strcmp(v, "idle")) opt.mode = IDLE;
            else usage();
        } else if (!strcmp(a, "--connections")) opt.connections = atoi(v);
        else if (!strcmp(a, "--concurrency")) opt.concurrency = atoi(v);
        else if (!strcmp(a, "--size")) opt.size = atoi(v);
        else if (!strcmp(a, "--window")) opt.window = atol(v);
        else if (!strcmp(a, "--warmup")) opt.warmup_s = atof(v);
        else if (!strcmp(a, "--duration")) opt.duration_s = atof(v);
        else if (!strcmp(a, "--pid")) opt.pid = atoi(v);
        else if (!strcmp(a, "--settle")) opt.settle_s = atof(v);
        else usage();
    }
    if (opt.port <= 0 || opt.size <= 0 || opt.connections <= 0 || opt.concurrency <= 0) usage();
    if (opt.mode == STREAM && opt.window < opt.size) opt.window = opt.size;
    if (opt.mode == IDLE && (opt.pid <= 0 || opt.tls)) usage();
}

/* Never inlined: the error path stays out of the hot functions that call it. */
__attribute__((noinline)) static void die(const char *what) {
    printf("{\"error\":\"%s: %s\"}\n", what, strerror(errno));
    exit(1);
}

/* ---- connections ---------------------------------------------------------------------------- */

struct conn {
    int fd;
    uint32_t events;     /* the epoll interest currently registered */
    uint64_t started;    /* pingpong, connect: when the operation began */
    long out_off;        /* pingpong, connect: bytes of the message written */
    long in_off;         /* pingpong, connect: bytes of the echo read */
    long sent, received; /* stream: bytes written and read back in total */
    uint64_t *chunk_start; /* stream: first-write time of each chunk in flight, a ring */
    int connected;       /* connect: the handshake finished */
};

static struct sockaddr_in server_addr;
static int ep;
static char *out_buf, *in_buf;
static long in_buf_len;
static uint64_t measure_start, measure_end;
static uint64_t ops, bytes_in, errors;

static void set_interest(struct conn *c, uint32_t events) {
    if (c->events == events) return;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl");
    c->events = events;
}

static int open_socket(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Opens a connection and waits for the handshake, for the modes that keep their connections. */
static void connect_blocking(struct conn *c) {
    c->fd = open_socket();
    if (c->fd < 0) die("socket");
    if (connect(c->fd, (struct sockaddr *)&server_addr, sizeof server_addr) < 0 && errno != EINPROGRESS) die("connect");
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    int tmp = epoll_create1(0);
    epoll_ctl(tmp, EPOLL_CTL_ADD, c->fd, &ev);
    if (epoll_wait(tmp, &ev, 1, 10000) != 1) {
        errno = ETIMEDOUT;
        die("connect");
    }
    close(tmp);
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
        errno = err;
        die("connect");
    }
    c->events = EPOLLIN;
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
}

static int in_window(uint64_t t) {
    return t >= measure_start && t < measure_end;
}

/* Writes what is left of the message; arms EPOLLOUT only if the socket is full. */
static void write_message(struct conn *c) {
    while (c->out_off < opt.size) {
        ssize_t n = write(c->fd, out_buf + c->out_off, opt.size - c->out_off);
        if (n < 0) {
            if (errno == EAGAIN) {
                set_interest(c, EPOLLIN | EPOLLOUT);
                return;
            }
            die("write");
        }
        c->out_off += n;
    }
    set_interest(c, EPOLLIN);
}

static void pingpong_start(struct conn *c, uint64_t t) {
    c->started = t;
    c->out_off = 0;
    c->in_off = 0;
    write_message(c);
}

static void pingpong_event(struct conn *c, uint32_t events) {
    if (events & EPOLLOUT) write_message(c);
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    for (;;) {
        ssize_t n = read(c->fd, in_buf, in_buf_len);
        if (n < 0) {
            if (errno == EAGAIN) return;
            die("read");
        }
        if (n == 0) {
            errno = ECONNRESET;
            die("server closed a connection");
        }
        c->in_off += n;
        if (c->in_off >= opt.size) {
            /* One message at a time, so nothing beyond it can have arrived. */
            uint64_t t = now_ns();
            if (in_window(t)) {
                record(t - c->started);
                ops++;
                bytes_in += opt.size;
            }
            pingpong_start(c, t);
            return;
        }
    }
}

static long chunks_in_ring(void) {
    return opt.window / opt.size + 2;
}

static void stream_fill(struct conn *c) {
    while (c->sent - c->received < opt.window) {
        long off = c->sent % opt.size;
        long room = opt.window - (c->sent - c->received);
        long len = opt.size - off;
        if (len > room) len = room;
        if (off == 0) c->chunk_start[(c->sent / opt.size) % chunks_in_ring()] = now_ns();
        ssize_t n = write(c->fd, out_buf + off, len);
        if (n < 0) {
            if (errno == EAGAIN) {
                set_interest(c, EPOLLIN | EPOLLOUT);
                return;
            }
            die("write");
        }
        c->sent += n;
    }
    set_interest(c, EPOLLIN);
}

static void stream_event(struct conn *c, uint32_t events) {
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
            ssize_t n = read(c->fd, in_buf, in_buf_len);
            if (n < 0) {
                if (errno == EAGAIN) break;
                die("read");
            }
            if (n == 0) {
                errno = ECONNRESET;
                die("server closed a connection");
            }
            long before = c->received;
            c->received += n;
            uint64_t t = now_ns();
            if (in_window(t)) bytes_in += n;
            /* Each chunk whose last byte has now arrived. */
            for (long k = before / opt.size; k < c->received / opt.size; k++) {
                if (in_window(t)) {
                    record(t - c->chunk_start[k % chunks_in_ring()]);
                    ops++;
                }
            }
            if (n < in_buf_len) break;
        }
    }
    stream_fill(c);
}

/*
 * The client's own ports, bound explicitly in turn. Left to connect(), the kernel picks only the
 * even ports of ip_local_port_range (32768-60999: 14,116 of them) and, with tcp_tw_reuse, takes
 * one back only a second after its last connection closed into TIME_WAIT: a ceiling of about
 * 14,100 connections per second whatever the server, which every server hit. A socket bound to a
 * port first (SO_REUSEADDR lets it bind beside that port's TIME_WAIT sockets) may reuse a
 * TIME_WAIT four-tuple at once, so cycling through the ports below the ephemeral range, odd and
 * even, lifts the ceiling above what any server here reaches. The range stays below
 * ip_local_port_range: a port bound explicitly is skipped by the kernel's own choice until its
 * last TIME_WAIT socket is gone, which in that range would starve the connect() of the
 * connections that the other modes open.
 */
#define FIRST_PORT 1024
#define LAST_PORT 32767
static int next_port = FIRST_PORT;

/* Binds fd to 127.0.0.1 and the next free port of the range; 0 if a whole lap found none. */
static int bind_next_port(int fd) {
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("SO_REUSEADDR");
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr = server_addr.sin_addr};
    for (int tried = 0; tried <= LAST_PORT - FIRST_PORT; tried++) {
        int port = next_port;
        next_port = port == LAST_PORT ? FIRST_PORT : port + 1;
        if (port == opt.port) continue;
        local.sin_port = htons((uint16_t)port);
        if (bind(fd, (struct sockaddr *)&local, sizeof local) == 0) return 1;
        if (errno != EADDRINUSE) die("bind");
    }
    errors++;
    return 0;
}

/*
 * connect mode: every slot cycles through connect, one round trip, close. This mode costs much of
 * the client's core (the kernel does much of both ends' TCP work in the client's system calls),
 * so each cycle makes as few calls as it can: an edge-triggered registration for both directions
 * at once (no epoll_ctl to switch), no SO_ERROR query (a failed connect shows as EPOLLERR or as a
 * failed write), and no TCP_NODELAY (one small write into an idle connection is never delayed).
 */
static void slot_open(struct conn *c) {
    for (;;) {
        c->started = now_ns();
        c->out_off = 0;
        c->in_off = 0;
        c->connected = 0;
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (c->fd < 0) die("socket");
        if (!bind_next_port(c->fd)) {
            close(c->fd);
            continue;
        }
        if (connect(c->fd, (struct sockaddr *)&server_addr, sizeof server_addr) == 0 || errno == EINPROGRESS) break;
        /* EADDRNOTAVAIL: this port's four-tuple with the server is still taken (by a connection
         * the kernel will not let go of yet); the next port will do. Anything else (a refusal)
         * is an error. */
        if (errno != EADDRNOTAVAIL) errors++;
        close(c->fd);
    }
    c->events = EPOLLIN | EPOLLOUT | EPOLLET;
    struct epoll_event ev = {.events = c->events, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
}

static void slot_fail(struct conn *c) {
    errors++;
    close(c->fd);
    slot_open(c);
}

static void slot_event(struct conn *c, uint32_t events) {
    if (events & (EPOLLERR | EPOLLHUP)) {
        slot_fail(c);
        return;
    }
    if (!c->connected) {
        if (!(events & EPOLLOUT)) return;
        c->connected = 1;
        /* A small message into an idle connection: one write takes it all. */
        if (write(c->fd, out_buf, opt.size) != opt.size) slot_fail(c);
        return; /* the echo comes as the next edge */
    }
    for (;;) {
        ssize_t n = read(c->fd, in_buf, in_buf_len);
        if (n < 0) {
            if (errno == EAGAIN) return;
            slot_fail(c);
            return;
        }
        if (n == 0) {
            slot_fail(c);
            return;
        }
        c->in_off += n;
        if (c->in_off >= opt.size) break;
    }
    close(c->fd); /* also removes it from the epoll set */
    uint64_t t = now_ns();
    if (in_window(t)) {
        record(t - c->started);
        ops++;
        bytes_in += opt.size;
    }
    slot_open(c);
}

/* ---- TLS (--tls) ---------------------------------------------------------------------------- */

/*
 * A TLS connection: the plain connection's state (first, so an epoll event's pointer is either),
 * its OpenSSL object, and what the plain modes learn from the kernel but TLS must remember:
 * whether a write is waiting to be retried (OpenSSL then holds a record half written) and, in
 * connect mode, whether the handshake is done. SSL_write runs with partial writes allowed, so
 * like write() it returns after each record it got into the socket.
 */
struct tconn {
    struct conn c;
    SSL *ssl;
    int write_retry; /* the last SSL_write wanted a retry: the chunk it began is already timed */
};

static SSL_CTX *tls_ctx;
static char tls_info[128]; /* what the first handshake agreed, for the JSON line */

static void tls_die(const char *what) {
    unsigned long e = ERR_get_error();
    char why[256];
    if (e) ERR_error_string_n(e, why, sizeof why);
    else snprintf(why, sizeof why, "%s", errno ? strerror(errno) : "the peer closed the connection");
    printf("{\"error\":\"%s: %s\"}\n", what, why);
    exit(1);
}

/*
 * The echo must be what was sent: byte POS of a connection's echo is out_buf[POS % size], in every
 * mode. A cheap check beside the decryption, and the one that catches a TLS layer that loses,
 * repeats or reorders bytes (the plain servers need none: the kernel copies their bytes).
 */
static void tls_check_echo(long pos, int n) {
    long off = pos % opt.size;
    for (long done = 0; done < n; off = 0) {
        long len = opt.size - off;
        if (len > n - done) len = n - done;
        if (memcmp(in_buf + done, out_buf + off, (size_t)len)) {
            printf("{\"error\":\"the echo differs from what was sent, within bytes %ld-%ld of a connection\"}\n",
                   pos + done, pos + done + len - 1);
            exit(1);
        }
        done += len;
    }
}

static void tls_init(void) {
    tls_ctx = SSL_CTX_new(TLS_client_method());
    if (!tls_ctx || !SSL_CTX_set_min_proto_version(tls_ctx, TLS1_3_VERSION) ||
        !SSL_CTX_set_max_proto_version(tls_ctx, TLS1_3_VERSION) ||
        !SSL_CTX_set_ciphersuites(tls_ctx, "TLS_AES_128_GCM_SHA256"))
        tls_die("TLS setup");
    SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_NONE, NULL);
    /* Every handshake a full one: no session is kept to resume. */
    SSL_CTX_set_session_cache_mode(tls_ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* One read() takes every record that has arrived, up to 64 KiB, as the plain path's does;
     * what it took beyond the record being returned is what SSL_has_pending reports. */
    SSL_CTX_set_read_ahead(tls_ctx, 1);
    SSL_CTX_set_default_read_buffer_len(tls_ctx, 65536);
}

static void tls_attach(struct tconn *t) {
    t->ssl = SSL_new(tls_ctx);
    if (!t->ssl || !SSL_set_fd(t->ssl, t->c.fd) || !SSL_set_tlsext_host_name(t->ssl, "localhost"))
        tls_die("SSL_new");
    SSL_set_connect_state(t->ssl);
    t->write_retry = 0;
}

static void tls_note_session(SSL *ssl) {
    if (tls_info[0]) return;
    int group = SSL_get_negotiated_group(ssl);
    snprintf(tls_info, sizeof tls_info, "%s %s %s", SSL_get_version(ssl), SSL_get_cipher_name(ssl),
             group ? OBJ_nid2sn(group) : "?");
}

/* The handshake of a connection that pingpong or stream keeps, before the clock starts. */
static void tls_handshake_blocking(struct tconn *t) {
    tls_attach(t);
    for (;;) {
        int r = SSL_do_handshake(t->ssl);
        if (r == 1) break;
        int e = SSL_get_error(t->ssl, r);
        struct pollfd p = {.fd = t->c.fd, .events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT};
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) tls_die("TLS handshake");
        if (poll(&p, 1, 10000) != 1) {
            errno = ETIMEDOUT;
            die("TLS handshake");
        }
    }
    tls_note_session(t->ssl);
}

/*
 * What an SSL call that returned n <= 0 wants: 1 if the epoll interest now says what it waits
 * for (WANT_WRITE also while reading: a TLS 1.3 KeyUpdate may need an answer), 0 if it failed.
 */
static int tls_wait(struct tconn *t, int n) {
    switch (SSL_get_error(t->ssl, n)) {
    case SSL_ERROR_WANT_READ:
        set_interest(&t->c, EPOLLIN);
        return 1;
    case SSL_ERROR_WANT_WRITE:
        set_interest(&t->c, EPOLLIN | EPOLLOUT);
        return 1;
    default:
        return 0;
    }
}

static void tls_write_message(struct tconn *t) {
    struct conn *c = &t->c;
    while (c->out_off < opt.size) {
        int n = SSL_write(t->ssl, out_buf + c->out_off, (int)(opt.size - c->out_off));
        if (n <= 0) {
            if (tls_wait(t, n)) return;
            tls_die("SSL_write");
        }
        c->out_off += n;
    }
    set_interest(c, EPOLLIN);
}

static void tls_pingpong_start(struct tconn *t, uint64_t now) {
    t->c.started = now;
    t->c.out_off = 0;
    t->c.in_off = 0;
    tls_write_message(t);
}

/* Any event retries an unfinished write and reads: which one an SSL call waited for is OpenSSL's. */
static void tls_pingpong_event(struct tconn *t) {
    struct conn *c = &t->c;
    if (c->out_off < opt.size) tls_write_message(t);
    for (;;) {
        int n = SSL_read(t->ssl, in_buf, (int)in_buf_len);
        if (n <= 0) {
            if (c->out_off < opt.size) return; /* the write set the interest it waits for */
            if (tls_wait(t, n)) return;
            tls_die("SSL_read");
        }
        tls_check_echo(c->in_off, n);
        c->in_off += n;
        if (c->in_off >= opt.size) {
            uint64_t now = now_ns();
            if (in_window(now)) {
                record(now - c->started);
                ops++;
                bytes_in += opt.size;
            }
            tls_pingpong_start(t, now);
            /* One message at a time: only records read ahead with it (a session ticket) can wait. */
            if (!SSL_has_pending(t->ssl)) return;
        }
    }
}

static void tls_stream_fill(struct tconn *t) {
    struct conn *c = &t->c;
    while (c->sent - c->received < opt.window) {
        long off = c->sent % opt.size;
        long room = opt.window - (c->sent - c->received);
        long len = opt.size - off;
        if (len > room) len = room;
        if (off == 0 && !t->write_retry) c->chunk_start[(c->sent / opt.size) % chunks_in_ring()] = now_ns();
        int n = SSL_write(t->ssl, out_buf + off, (int)len);
        if (n <= 0) {
            t->write_retry = 1;
            if (tls_wait(t, n)) return;
            tls_die("SSL_write");
        }
        t->write_retry = 0;
        c->sent += n;
    }
    set_interest(c, EPOLLIN);
}

static void tls_stream_event(struct tconn *t) {
    struct conn *c = &t->c;
    for (;;) {
        int n = SSL_read(t->ssl, in_buf, (int)in_buf_len);
        if (n <= 0) {
            int e = SSL_get_error(t->ssl, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
            tls_die("SSL_read");
        }
        tls_check_echo(c->received, n);
        long before = c->received;
        c->received += n;
        uint64_t now = now_ns();
        if (in_window(now)) bytes_in += n;
        for (long k = before / opt.size; k < c->received / opt.size; k++) {
            if (in_window(now)) {
                record(now - c->chunk_start[k % chunks_in_ring()]);
                ops++;
            }
        }
    }
    tls_stream_fill(t);
}

/* connect mode: the plain cycle (same ports, same edge-triggered registration) with a TLS handshake. */
static void tls_slot_open(struct tconn *t) {
    slot_open(&t->c);
    tls_attach(t);
}

static void tls_slot_close(struct tconn *t) {
    SSL_free(t->ssl);
    t->ssl = NULL;
    close(t->c.fd);
}

static void tls_slot_fail(struct tconn *t) {
    errors++;
    ERR_clear_error();
    tls_slot_close(t);
    tls_slot_open(t);
}

/* Each SSL call runs until it wants the socket, so the next edge is what it waits for. */
static void tls_slot_event(struct tconn *t, uint32_t events) {
    struct conn *c = &t->c;
    if (events & (EPOLLERR | EPOLLHUP)) {
        tls_slot_fail(t);
        return;
    }
    if (!c->connected) {
        int r = SSL_do_handshake(t->ssl);
        if (r != 1) {
            int e = SSL_get_error(t->ssl, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) tls_slot_fail(t);
            return;
        }
        c->connected = 1;
        tls_note_session(t->ssl);
        /* A small message into an idle connection: one record, one write. */
        if (SSL_write(t->ssl, out_buf, opt.size) != opt.size) {
            tls_slot_fail(t);
            return;
        }
    }
    for (;;) {
        int n = SSL_read(t->ssl, in_buf, (int)in_buf_len);
        if (n <= 0) {
            if (SSL_get_error(t->ssl, n) != SSL_ERROR_WANT_READ) tls_slot_fail(t);
            return;
        }
        tls_check_echo(c->in_off, n);
        c->in_off += n;
        if (c->in_off >= opt.size) break;
    }
    /* close_notify, so that the server sees an orderly close and not a truncation. */
    SSL_shutdown(t->ssl);
    tls_slot_close(t);
    uint64_t now = now_ns();
    if (in_window(now)) {
        record(now - c->started);
        ops++;
        bytes_in += opt.size;
    }
    tls_slot_open(t);
}

/*
 * After the measurement: a close_notify on every connection kept, then up to 2 s for the
 * server's own close_notify or end of stream on each (reading what echo is still in flight), so
 * that the server sees orderly closes and logs no truncation or broken pipe for them.
 */
static void tls_close_all(struct conn *conns, size_t stride, int n) {
    for (int i = 0; i < n; i++) SSL_shutdown(((struct tconn *)((char *)conns + (size_t)i * stride))->ssl);
    uint64_t deadline = now_ns() + 2000000000ULL;
    for (int i = 0; i < n; i++) {
        struct tconn *t = (struct tconn *)((char *)conns + (size_t)i * stride);
        for (;;) {
            int n_read = SSL_read(t->ssl, in_buf, (int)in_buf_len);
            if (n_read > 0) continue;
            if (SSL_get_error(t->ssl, n_read) != SSL_ERROR_WANT_READ) break;
            uint64_t now = now_ns();
            struct pollfd p = {.fd = t->c.fd, .events = POLLIN};
            if (now >= deadline || poll(&p, 1, (int)((deadline - now) / 1000000) + 1) != 1) return;
        }
    }
}

static void tls_start(struct tconn *t) {
    if (opt.mode == PINGPONG) tls_pingpong_start(t, now_ns());
    else if (opt.mode == STREAM) tls_stream_fill(t);
    else tls_slot_open(t);
}

static void tls_event(struct tconn *t, uint32_t events) {
    if (opt.mode == PINGPONG) tls_pingpong_event(t);
    else if (opt.mode == STREAM) tls_stream_event(t);
    else tls_slot_event(t, events);
}

/* ---- main ---------------------------------------------------------------------------------- */

/*
 * idle mode. The connections are opened one after another (each handshake waited for), then each
 * sends SIZE bytes and all echoes are read back, so every connection has been read from and
 * written to once, as a client that then goes quiet leaves it. SETTLE seconds later the server's
 * resident set is read again.
 */
static long rss_kib(int pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) die("open /proc/PID/status");
    long kib = -1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "VmRSS:", 6)) kib = atol(line + 6);
    }
    fclose(f);
    if (kib < 0) die("no VmRSS in /proc/PID/status");
    return kib;
}

static int run_idle(struct conn *conns) {
    long before = rss_kib(opt.pid);
    uint64_t t0 = now_ns();
    for (int i = 0; i < opt.connections; i++) connect_blocking(&conns[i]);
    for (int i = 0; i < opt.connections; i++) write_message(&conns[i]);
    long waiting = opt.connections;
    struct epoll_event events[1024];
    while (waiting > 0) {
        int n = epoll_wait(ep, events, 1024, 30000);
        if (n == 0) {
            errno = ETIMEDOUT;
            die("waiting 30 s for the echoes");
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            ssize_t r = read(c->fd, in_buf, opt.size - c->in_off);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                die("read of an echo");
            }
            c->in_off += r;
            if (c->in_off == opt.size) {
                set_interest(c, 0);
                waiting--;
            }
        }
    }
    double opened_s = (now_ns() - t0) / 1e9;
    struct timespec settle = {(time_t)opt.settle_s, (long)((opt.settle_s - (time_t)opt.settle_s) * 1e9)};
    nanosleep(&settle, NULL);
    long held = rss_kib(opt.pid);
    printf("{\"mode\":\"idle\",\"connections\":%d,\"size\":%d,\"open_s\":%.2f,\"settle_s\":%.1f,"
           "\"rss_before_kib\":%ld,\"rss_held_kib\":%ld,\"bytes_per_conn\":%.0f,\"errors\":0}\n",
           opt.connections, opt.size, opened_s, opt.settle_s, before, held,
           (held - before) * 1024.0 / opt.connections);
    fflush(stdout);
    for (int i = 0; i < opt.connections; i++) close(conns[i].fd);
    return 0;
}

/* CPU times read at the ends of the measured window. */
struct cpu_window {
    double cpu_start, cpu_end, self_start, self_end;
    double user_start, sys_start, user_end, sys_end;
};

/*
 * Serves events until the measured window ends. Inlined twice with TLS a constant, so that the
 * plain loop is what it was before TLS came: no test of the flag per event.
 */
static inline __attribute__((always_inline)) void event_loop(const int tls, struct cpu_window *w) {
    int measuring = 0;
    struct epoll_event events[1024];
    for (;;) {
        uint64_t t = now_ns();
        if (!measuring && t >= measure_start) {
            measuring = 1;
            if (opt.pid) w->cpu_start = process_cpu_s(opt.pid, &w->user_start, &w->sys_start);
            w->self_start = self_cpu_s();
        }
        if (t >= measure_end) break;
        int n = epoll_wait(ep, events, 1024, 10);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (tls) tls_event((struct tconn *)c, events[i].events);
            else if (opt.mode == PINGPONG) pingpong_event(c, events[i].events);
            else if (opt.mode == STREAM) stream_event(c, events[i].events);
            else slot_event(c, events[i].events);
        }
    }
    if (opt.pid) w->cpu_end = process_cpu_s(opt.pid, &w->user_end, &w->sys_end);
    w->self_end = self_cpu_s();
}

int main(int argc, char **argv) {
    parse(argc, argv);
    memset(&server_addr, 0, sizeof server_addr);
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons((uint16_t)opt.port);
    if (inet_pton(AF_INET, opt.host, &server_addr.sin_addr) != 1) usage();

    ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    out_buf = malloc(opt.size);
    for (int i = 0; i < opt.size; i++) out_buf[i] = (char)('a' + i % 26);
    in_buf_len = opt.size > 65536 ? opt.size : 65536;
    in_buf = malloc(in_buf_len);

    int n_conns = opt.mode == CONNECT ? opt.concurrency : opt.connections;
    /* With --tls (never in idle mode) each connection is a struct tconn, its struct conn first. */
    size_t stride = opt.tls ? sizeof(struct tconn) : sizeof(struct conn);
    struct conn *conns = calloc(n_conns, stride);
    if (opt.mode == IDLE) return run_idle(conns);
    if (opt.tls) tls_init();
#define CONN(i) ((struct conn *)((char *)conns + (size_t)(i) * stride))
    for (int i = 0; i < n_conns; i++) {
        if (opt.mode == CONNECT) continue;
        connect_blocking(CONN(i));
        if (opt.tls) tls_handshake_blocking((struct tconn *)CONN(i));
        if (opt.mode == STREAM) CONN(i)->chunk_start = calloc(chunks_in_ring(), sizeof(uint64_t));
    }

    uint64_t t0 = now_ns();
    measure_start = t0 + (uint64_t)(opt.warmup_s * 1e9);
    measure_end = measure_start + (uint64_t)(opt.duration_s * 1e9);
    for (int i = 0; i < n_conns; i++) {
        if (opt.tls) tls_start((struct tconn *)CONN(i));
        else if (opt.mode == PINGPONG) pingpong_start(CONN(i), now_ns());
        else if (opt.mode == STREAM) stream_fill(CONN(i));
        else slot_open(CONN(i));
    }

    struct cpu_window w = {.cpu_start = -1, .cpu_end = -1};
    if (opt.tls) event_loop(1, &w);
    else event_loop(0, &w);
    double cpu_start = w.cpu_start, cpu_end = w.cpu_end, self_start = w.self_start, self_end = w.self_end;
    double user_start = w.user_start, sys_start = w.sys_start, user_end = w.user_end, sys_end = w.sys_end;

    static const char *names[] = {"pingpong", "stream", "connect"};
    double secs = opt.duration_s;
    double server_cpu = (cpu_start >= 0 && cpu_end >= 0) ? cpu_end - cpu_start : -1;
    printf("{\"mode\":\"%s\",\"connections\":%d,\"concurrency\":%d,\"size\":%d,\"window\":%ld,"
           "\"duration_s\":%.3f,\"ops\":%llu,\"ops_per_s\":%.1f,\"mib_per_s\":%.2f,"
           "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,"
           "\"server_cpu_s\":%.2f,\"server_user_s\":%.2f,\"server_sys_s\":%.2f,\"client_cpu_s\":%.2f,"
           "\"errors\":%llu%s%s%s}\n",
           names[opt.mode], opt.connections, opt.concurrency, opt.size, opt.window, secs,
           (unsigned long long)ops, ops / secs, bytes_in / secs / 1048576.0,
           percentile_us(50), percentile_us(99), percentile_us(99.9), hist_max / 1000.0,
           server_cpu, user_end - user_start, sys_end - sys_start, self_end - self_start,
           (unsigned long long)errors, opt.tls ? ",\"tls\":\"" : "", opt.tls ? tls_info : "", opt.tls ? "\"" : "");
    if (opt.tls && opt.mode != CONNECT) {
        fflush(stdout);
        tls_close_all(conns, stride, n_conns);
    }
    return 0;
}
