#!/usr/bin/env python3
"""Runs a daemon as a systemd service manager would for Type=notify: NOTIFY_SOCKET names a unix
datagram socket read here, WATCHDOG_USEC asks for pings. When READY=1 arrives the daemon is
frozen (SIGSTOP) and --on-ready runs: whatever it finds (a bound socket) was there before the
daemon said it was ready. Then --hup sends SIGHUP after that many seconds, SIGTERM follows after
--run seconds, and every message is written to --out as JSON lines {"t": s, "msg": text}, with
{"t": s, "ready_check": rc} for the check and {"t": s, "exit": rc} at the end.

usage: notify_run.py --out FILE [--watchdog-usec N] [--on-ready CMD] [--hup S] [--run S] -- ARGV
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--watchdog-usec", type=int, default=0)
    ap.add_argument("--on-ready", default="")
    ap.add_argument("--hup", type=float, default=0)
    ap.add_argument("--run", type=float, default=2.0)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("argv", nargs="+")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="notify.")
    path = os.path.join(tmp, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    env.pop("WATCHDOG_PID", None)
    if a.watchdog_usec:
        env["WATCHDOG_USEC"] = str(a.watchdog_usec)
    else:
        env.pop("WATCHDOG_USEC", None)
    log = open(a.log, "ab")
    out = open(a.out, "w")
    t0 = time.monotonic()
    proc = subprocess.Popen(a.argv, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)

    def note(**kv):
        kv["t"] = round(time.monotonic() - t0, 3)
        out.write(json.dumps(kv) + "\n")
        out.flush()

    ready_at = None
    hup_sent = term_sent = False
    deadline = t0 + 20  # bounded whatever happens
    while time.monotonic() < deadline:
        now = time.monotonic()
        if ready_at is not None and a.hup and not hup_sent and now - ready_at >= a.hup:
            proc.send_signal(signal.SIGHUP)
            hup_sent = True
            note(sent="SIGHUP")
        if ready_at is not None and not term_sent and now - ready_at >= a.run:
            proc.send_signal(signal.SIGTERM)
            term_sent = True
            note(sent="SIGTERM")
        if proc.poll() is not None:
            break
        sock.settimeout(0.05)
        try:
            data = sock.recv(4096).decode(errors="replace")
        except socket.timeout:
            continue
        note(msg=data)
        if ready_at is None and "READY=1" in data.split("\n"):
            ready_at = time.monotonic()
            if a.on_ready:
                proc.send_signal(signal.SIGSTOP)
                rc = subprocess.call(a.on_ready, shell=True, timeout=10)
                proc.send_signal(signal.SIGCONT)
                note(ready_check=rc)
    if proc.poll() is None:
        proc.kill()
    # Messages sent just before the exit are still in the socket.
    sock.settimeout(0)
    try:
        while True:
            note(msg=sock.recv(4096).decode(errors="replace"))
    except (BlockingIOError, socket.timeout):
        pass
    note(exit=proc.wait())
    os.unlink(path)
    os.rmdir(tmp)


if __name__ == "__main__":
    sys.exit(main())
