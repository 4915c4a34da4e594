#!/usr/bin/env python3
"""TCP connection limits against a signald started with [sip] tcp_idle_s = 4,
tcp_max_per_source = 3, tcp_message_timeout_s = 1:

    tcp_limits.py HOST:PORT

Six silent connections from 127.0.0.8: three are shut within 3 s (the per-source cap), all
within 10 s (idle); two from 127.0.0.9 survive the cap; a half-sent message is cut within 3 s.
Prints one line per check, exits 1 if any failed. Standard library only."""
import socket
import sys
import time

FAILED = []


def check(what, ok):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        FAILED.append(what)


def connect(target, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.connect(target)
    s.setblocking(False)
    return s


def closed(s):
    try:
        return s.recv(100) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    target = (host, int(port))
    partial = connect(target, "127.0.0.10")
    partial.sendall(b"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.10:1;branch=z9hG4bKp\r\n")
    many = [connect(target, "127.0.0.8") for _ in range(6)]
    few = [connect(target, "127.0.0.9") for _ in range(2)]
    time.sleep(3)
    n = sum(closed(s) for s in many)
    check(f"6 connections from one address, cap 3: 3 shut within 3 s ({n})", n == 3)
    check("2 connections from another address: both open", not any(closed(s) for s in few))
    check("a half-sent message is cut within 3 s", closed(partial))
    time.sleep(7)
    n = sum(closed(s) for s in many + few)
    check(f"silent connections shut within 10 s ({n} of 8)", n == 8)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
