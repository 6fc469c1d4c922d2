# bench echo-gevent-20k: 20,000 request/response round trips through a
# gevent echo server (004's, with monkey.patch_all) from 10 client
# greenlets, 2,000 each, all in one thread on loopback.
# Lua twin: echo_gevent_20k.lua. Runs under Debian's python3-gevent:
#   /usr/bin/python3 echo_gevent_20k.py [N]
from gevent import monkey; monkey.patch_all()
import socket
import sys
import gevent

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
CLIENTS = 10

def handle_request(conn):
    while True:
        data = conn.recv(1024)
        if not data:
            conn.close()
            break
        conn.send(data)

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(CLIENTS)
addr = s.getsockname()

def server():
    for _ in range(CLIENTS):
        conn, _ = s.accept()
        gevent.spawn(handle_request, conn)

def client(n):
    c = socket.socket()
    c.connect(addr)
    ok = 0
    for _ in range(n):
        c.send(b"ping")
        if c.recv(1024) == b"ping":
            ok += 1
    c.close()
    return ok

srv = gevent.spawn(server)
cs = [gevent.spawn(client, N // CLIENTS) for _ in range(CLIENTS)]
gevent.joinall(cs)
print("round trips:", sum(g.value for g in cs))
