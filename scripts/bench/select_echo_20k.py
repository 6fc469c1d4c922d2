# bench select-echo-20k: a select-based echo server on loopback (one
# thread) and 10 client threads, each making N/10 request/response round
# trips (N default 20,000). Prints the number of replies. Lua twin:
# select_echo_20k.lua.
import select
import socket
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
CLIENTS = 10
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(CLIENTS)
addr = srv.getsockname()


def serve():
    watch, done = [srv], 0
    while done < CLIENTS:
        for s in select.select(watch, [], [])[0]:
            if s is srv:
                conn, _ = srv.accept()
                watch.append(conn)
            else:
                data = s.recv(64)
                if data:
                    s.sendall(data)
                else:
                    watch.remove(s)
                    s.close()
                    done += 1


replies = [0] * CLIENTS


def client(i):
    c = socket.socket()
    c.connect(addr)
    for _ in range(N // CLIENTS):
        c.sendall(b"ping")
        replies[i] += len(c.recv(64)) // 4
    c.close()


server = threading.Thread(target=serve)
server.start()
ts = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
for t in ts:
    t.start()
for t in ts:
    t.join()
server.join()
srv.close()
print(sum(replies))
