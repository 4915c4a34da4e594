#!/usr/bin/env python3
"""Helpers for the interop tests with real user agents. Standard library only.

    uactl.py ctl PORT COMMAND [PARAMS]
        Sends one command to baresip's ctrl_tcp module (netstring-framed JSON) and prints the
        response; exits 1 unless baresip answers ok.
    uactl.py sdp LOG SERVER PORT_MIN PORT_MAX [--min N] [--dir a=sendonly ...]
        Reads baresip's SIP trace (-s) in LOG and checks every SDP the user agent received from
        SERVER (host:port): c= is SERVER's host and each m=audio port is in [PORT_MIN, PORT_MAX],
        that is, on the media node. --min: at least N such SDP bodies. --dir: each of these
        direction attributes appears in some received SDP. --every: each of these lines
        (regular expressions) appears in every received SDP.
    uactl.py msgs LOG SERVER START_LINE_REGEX
        Prints each message of baresip's trace (-s) in LOG that the user agent received from
        SERVER and whose start line matches the regular expression: the start line, its Event,
        Subscription-State, From and Referred-By headers, then the body, each line indented.
    uactl.py freq WAV EXPECT_HZ [--tol HZ] [--min-s S] [--last-s S]
        Dominant frequency of the non-silent part of a mono 16-bit WAV (median zero-crossing
        rate over 100 ms frames); checks it is within --tol of EXPECT_HZ and that at least
        --min-s seconds were not silent. --last-s: only the last S seconds of the file count
        (a phone whose peer changed mid-call, as in a transfer, heard the new one last).
"""
import argparse
import json
import math
import re
import socket
import statistics
import struct
import sys
import time
import wave


def ctl(a):
    msg = json.dumps({"command": a.command, "params": a.params, "token": "interop"}).encode()
    with socket.create_connection(("127.0.0.1", a.port), timeout=3) as s:
        s.sendall(b"%d:%s," % (len(msg), msg))
        buf = b""
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                data = s.recv(65536)
            except socket.timeout:
                break
            if not data:
                break
            buf += data
            # The socket also carries events; the response is the frame with "response".
            for m in re.finditer(rb'\{"response":true[^{}]*\}', buf):
                r = json.loads(m.group(0))
                print(f"{a.command} {a.params}: ok={r.get('ok')} {r.get('data', '').strip()}")
                return 0 if r.get("ok") else 1
    print(f"{a.command} {a.params}: no response")
    return 1


def received_msgs(text, server):
    """Messages SERVER sent, from baresip's trace ('#', 'UDP a -> b', msg): (head, body)."""
    msgs = []
    blocks = re.split(r"\n[^\n]*#\n", "\n" + text)
    for b in blocks:
        head = b.split("\n", 1)
        if len(head) < 2:
            continue
        m = re.match(r"\s*(UDP|TCP|TLS)\s+(\S+)\s+->\s+(\S+)", head[0])
        if not m or m.group(2) != server:
            continue
        msg = head[1].replace("\r", "")
        if "\n\n" not in msg:
            continue
        msgs.append(tuple(msg.split("\n\n", 1)))
    return msgs


def received_sdps(text, server):
    """SDP bodies of the messages SERVER sent."""
    return [body for _, body in received_msgs(text, server) if "m=audio" in body]


def msgs(a):
    with open(a.log, errors="replace") as f:
        text = re.sub(r"\x1b\[[0-9;]*m", "", f.read())
    for head, body in received_msgs(text, a.server):
        lines = head.strip("\n").split("\n")
        if not re.search(a.start, lines[0]):
            continue
        print(lines[0])
        for h in lines[1:]:
            if re.match(r"(Event|Subscription-State|From|Referred-By):", h, re.I):
                print(f"  {h}")
        for line in body.strip("\n").split("\n"):
            print(f"  {line}")
    return 0


def sdp(a):
    with open(a.log, errors="replace") as f:
        text = re.sub(r"\x1b\[[0-9;]*m", "", f.read())
    host = a.server.rsplit(":", 1)[0].strip("[]")  # c= names an IPv6 address bare
    bodies = received_sdps(text, a.server)
    ok = len(bodies) >= a.min
    print(f"{len(bodies)} SDP bodies received from {a.server} (want >= {a.min})")
    for body in bodies:
        conns = re.findall(r"^c=IN IP[46] (\S+)", body, re.M)
        ports = [int(p) for p in re.findall(r"^m=audio (\d+)", body, re.M)]
        good = conns and all(c == host for c in conns) and ports and all(
            a.port_min <= p <= a.port_max for p in ports)
        print(f"  c={conns} m=audio {ports}: {'on the media node' if good else 'NOT on the media node'}")
        ok = ok and bool(good)
    for r in a.every or []:
        n = sum(1 for b in bodies if re.search(rf"^{r}$", b, re.M))
        print(f"  {r}: in {n} of {len(bodies)}")
        ok = ok and n == len(bodies)
    for d in a.dir or []:
        seen = any(re.search(rf"^{re.escape(d)}$", b, re.M) for b in bodies)
        print(f"  {d}: {'seen' if seen else 'NOT seen'}")
        ok = ok and seen
    return 0 if ok else 1


def freq(a):
    with wave.open(a.wav) as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            print(f"{a.wav}: want mono 16-bit")
            return 1
        rate = w.getframerate()
        raw = w.readframes(w.getnframes())
    x = struct.unpack(f"<{len(raw) // 2}h", raw)
    if a.last_s:
        x = x[-int(a.last_s * rate):]
    n = rate // 10  # 100 ms frames: 5 Hz resolution
    freqs = []
    for i in range(0, len(x) - n, n):
        f = x[i:i + n]
        mean = sum(f) / n
        rms = math.sqrt(sum((v - mean) ** 2 for v in f) / n)
        if rms < 300:  # silence, comfort noise, or the jitter buffer filling
            continue
        zc = sum(1 for j in range(1, n) if (f[j - 1] - mean < 0) != (f[j] - mean < 0))
        freqs.append(zc * rate / (2.0 * n))
    voiced = len(freqs) * n / rate
    dom = statistics.median(freqs) if freqs else 0.0
    ok = voiced >= a.min_s and abs(dom - a.expect) <= a.tol
    print(f"{a.wav}: dominant {dom:.0f} Hz (want {a.expect} +- {a.tol}), {voiced:.1f} s of "
          f"{len(x) / rate:.1f} s not silent (want >= {a.min_s})")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    c = sub.add_parser("ctl")
    c.add_argument("port", type=int)
    c.add_argument("command")
    c.add_argument("params", nargs="?", default="")
    s = sub.add_parser("sdp")
    s.add_argument("log")
    s.add_argument("server")
    s.add_argument("port_min", type=int)
    s.add_argument("port_max", type=int)
    s.add_argument("--min", type=int, default=1)
    s.add_argument("--dir", action="append")
    s.add_argument("--every", action="append")
    m = sub.add_parser("msgs")
    m.add_argument("log")
    m.add_argument("server")
    m.add_argument("start")
    f = sub.add_parser("freq")
    f.add_argument("wav")
    f.add_argument("expect", type=float)
    f.add_argument("--tol", type=float, default=20)
    f.add_argument("--min-s", type=float, default=1.0)
    f.add_argument("--last-s", type=float, default=0)
    a = ap.parse_args()
    try:
        return {"ctl": ctl, "sdp": sdp, "msgs": msgs, "freq": freq}[a.what](a)
    except (OSError, ValueError, EOFError, wave.Error) as e:
        print(f"{a.what}: {e!r}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
