/*
 * The physical limit for scripts/netbench: a minimal TCP echo server in C on epoll, the floor any
 * runtime's echo server sits on. Usage: epoll_echo [THREADS] [PORT]
 *
 * THREADS threads (default 2), each with an epoll instance of its own; the one listening socket is
 * in every instance with EPOLLEXCLUSIVE, so one idle thread is woken per new connection and the
 * connection stays on the thread that accepted it. Level-triggered: each readable event is one
 * read() into the thread's 64 KiB buffer and one write() of what it read; only a write the socket
 * cannot take whole keeps the rest (copied into a buffer of the connection's own) and waits for
 * EPOLLOUT before reading again. A quiet connection holds no buffer. TCP_NODELAY, backlog 1,024,
 * 127.0.0.1 only. Prints "listening 127.0.0.1:PORT", then serves until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER_SIZE 65536

struct conn {
    int fd;
    char *rest;      /* bytes read and not yet written, or NULL */
    size_t rest_off, rest_len;
};

static int listener;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void drop(struct conn *c) {
    close(c->fd);
    free(c->rest);
    free(c);
}

static void watch(int ep, struct conn *c, uint32_t events, int op) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, op, c->fd, &ev) < 0) die("epoll_ctl");
}

static void accept_all(int ep) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED) perror("accept4");
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        c->fd = fd;
        watch(ep, c, EPOLLIN, EPOLL_CTL_ADD);
    }
}

/* Writes the connection's leftover bytes; returns 1 when none are left. */
static int flush_rest(int ep, struct conn *c) {
    while (c->rest_off < c->rest_len) {
        ssize_t n = write(c->fd, c->rest + c->rest_off, c->rest_len - c->rest_off);
        if (n < 0) {
            if (errno == EAGAIN) return 0;
            drop(c);
            return -1;
        }
        c->rest_off += (size_t)n;
    }
    free(c->rest);
    c->rest = NULL;
    watch(ep, c, EPOLLIN, EPOLL_CTL_MOD);
    return 1;
}

static void readable(int ep, struct conn *c, char *buf) {
    ssize_t n = read(c->fd, buf, BUFFER_SIZE);
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
        drop(c);
        return;
    }
    if (n < 0) return;
    ssize_t off = 0;
    while (off < n) {
        ssize_t w = write(c->fd, buf + off, (size_t)(n - off));
        if (w < 0) {
            if (errno != EAGAIN) {
                drop(c);
                return;
            }
            c->rest_len = (size_t)(n - off);
            c->rest_off = 0;
            c->rest = malloc(c->rest_len);
            memcpy(c->rest, buf + off, c->rest_len);
            watch(ep, c, EPOLLOUT, EPOLL_CTL_MOD);
            return;
        }
        off += w;
    }
}

static void *serve(void *arg) {
    (void)arg;
    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, listener, &lev) < 0) die("epoll_ctl listener");
    char *buf = malloc(BUFFER_SIZE);
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == NULL) accept_all(ep);
            else if (c->rest != NULL) flush_rest(ep, c);
            else readable(ep, c, buf);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    int port = argc > 2 ? atoi(argv[2]) : 0;
    if (threads < 1) {
        fprintf(stderr, "usage: epoll_echo [THREADS] [PORT]\n");
        return 2;
    }
    /* A write to a connection the client reset must fail with EPIPE, not kill the server. */
    signal(SIGPIPE, SIG_IGN);
    listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (listener < 0) die("socket");
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(listener, 1024) < 0) die("listen");
    socklen_t len = sizeof addr;
    getsockname(listener, (struct sockaddr *)&addr, &len);
    printf("listening 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    pthread_t t;
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&t, NULL, serve, NULL) != 0) die("pthread_create");
    }
    serve(NULL);
    return 0;
}
