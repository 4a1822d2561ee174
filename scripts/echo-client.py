#!/usr/bin/env python3
"""Loopback echo load for counting a server's system calls: CONNECTIONS sockets, each sending a
SIZE-byte message and waiting for it to come back, until ROUND_TRIPS replies have arrived.
Talks only to the address it is given, which must be on loopback."""
import selectors
import socket
import sys

host, port = sys.argv[1].rsplit(":", 1)
connections, round_trips, size = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
if host not in ("127.0.0.1", "::1", "localhost"):
    sys.exit("refusing a non-loopback target: " + host)
message = b"x" * size
sel = selectors.DefaultSelector()
socks = []
for _ in range(connections):
    s = socket.create_connection((host, int(port)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, [0])
    s.sendall(message)
    socks.append(s)
done = 0
sent = connections
while done < round_trips:
    for key, _ in sel.select():
        s, got = key.fileobj, key.data
        data = s.recv(65536)
        if not data:
            sys.exit("server closed a connection")
        got[0] += len(data)
        while got[0] >= size:
            got[0] -= size
            done += 1
            if sent < round_trips:
                s.sendall(message)
                sent += 1
for s in socks:
    s.close()
print(done)
