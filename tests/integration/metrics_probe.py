#!/usr/bin/env python3
"""HTTP probes of mediad's /metrics listener, each bounded in time.

  metrics_probe.py get HOST:PORT PATH [METHOD]   prints the status code, then the body
  metrics_probe.py status HOST:PORT PATH [METHOD] prints the status code
  metrics_probe.py big HOST:PORT BYTES           a request with BYTES of headers: prints the
                                                 status code, or "closed"
  metrics_probe.py hold HOST:PORT N SECONDS      opens N connections that send half a request,
                                                 keeps them SECONDS, prints how many the
                                                 server had closed by then
"""
import http.client
import socket
import sys
import time


def addr(s):
    h, p = s.rsplit(":", 1)
    return h, int(p)


def get(target, path, method="GET", body=True):
    c = http.client.HTTPConnection(*addr(target), timeout=3)
    c.request(method, path)
    r = c.getresponse()
    print(r.status)
    text = r.read().decode()
    if body:
        sys.stdout.write(text)


def big(target, n):
    s = socket.create_connection(addr(target), timeout=3)
    req = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * n + b"\r\n\r\n"
    s.setblocking(False)
    sent = 0
    try:  # as much as the socket takes: the server stops reading at its limit
        while sent < len(req):
            sent += s.send(req[sent:sent + 4096])
    except OSError:
        pass
    s.settimeout(3)
    try:
        line = s.recv(64).split(b"\r\n")[0]
        print(line.split()[1].decode() if line else "closed")
    except OSError:
        print("closed")


def hold(target, n, secs):
    socks = []
    for _ in range(n):
        s = socket.create_connection(addr(target), timeout=3)
        s.sendall(b"GET /metr")
        socks.append(s)
    time.sleep(secs)
    closed = 0
    for s in socks:
        s.settimeout(0.2)
        try:
            if s.recv(4096) == b"":
                closed += 1
        except socket.timeout:
            pass
        except OSError:
            closed += 1
        s.close()
    print(closed)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "get":
        get(sys.argv[2], sys.argv[3], *(sys.argv[4:5]))
    elif cmd == "status":
        get(sys.argv[2], sys.argv[3], *(sys.argv[4:5] or ["GET"]), body=False)
    elif cmd == "big":
        big(sys.argv[2], int(sys.argv[3]))
    elif cmd == "hold":
        hold(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
