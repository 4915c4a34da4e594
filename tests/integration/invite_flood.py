#!/usr/bin/env python3
"""Sends a burst of new INVITEs (no credentials, each its own Call-ID) from one UDP socket and
counts the final answers, so a test can see how signald sheds load.

    invite_flood.py HOST:PORT --count N [--wait S] [--after-send CMD] [--fake-auth]

--fake-auth adds a Proxy-Authorization with a made-up nonce to every INVITE (it costs an
attacker nothing, so it must not buy a way past load shedding).

--after-send runs a shell command once every INVITE is out (e.g. `kill -CONT PID`). Prints
`STATUS COUNT` lines, then `retry-after 503s-with-Retry-After`, and exits 0. Standard library
only."""
import argparse
import socket
import subprocess
import time
import uuid


def invite(host, port, lport, i, fake_auth=False):
    cid = uuid.uuid4().hex
    auth = (f'Proxy-Authorization: Digest username="1000", realm="{host}", '
            f'nonce="{uuid.uuid4().hex}", uri="sip:1001@{host}:{port}", response="{"0" * 32}", '
            'algorithm=MD5, qop=auth, nc=00000001, cnonce="x"\r\n') if fake_auth else ""
    sdp = ("v=0\r\no=flood 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
    return (f"INVITE sip:1001@{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch=z9hG4bK{cid[:16]};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:1000@{host}>;tag=f{i}\r\n"
            f"To: <sip:1001@{host}>\r\n"
            f"Call-ID: {cid}\r\n"
            "CSeq: 1 INVITE\r\n"
            f"Contact: <sip:1000@127.0.0.1:{lport}>\r\n"
            f"{auth}"
            "Content-Type: application/sdp\r\n"
            f"Content-Length: {len(sdp)}\r\n\r\n{sdp}").encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--wait", type=float, default=10.0)
    ap.add_argument("--after-send")
    ap.add_argument("--fake-auth", action="store_true")
    a = ap.parse_args()
    host, port = a.target.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    lport = s.getsockname()[1]
    for i in range(a.count):
        s.sendto(invite(host, port, lport, i, a.fake_auth), (host, int(port)))
    if a.after_send:
        subprocess.run(a.after_send, shell=True, check=False)
    finals = {}  # Call-ID -> (status, has Retry-After)
    end = time.monotonic() + a.wait
    s.settimeout(0.5)
    while time.monotonic() < end and len(finals) < a.count:
        try:
            data = s.recv(65535).decode(errors="replace")
        except socket.timeout:
            continue
        lines = data.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("SIP/2.0") or not parts[1].isdigit():
            continue
        status = int(parts[1])
        if status < 200:
            continue
        cid = next((ln.split(":", 1)[1].strip() for ln in lines
                    if ln.lower().startswith(("call-id:", "i:"))), None)
        retry = any(ln.lower().startswith("retry-after:") for ln in lines)
        if cid:
            finals.setdefault(cid, (status, retry))
    counts = {}
    for st, _ in finals.values():
        counts[st] = counts.get(st, 0) + 1
    for st in sorted(counts):
        print(st, counts[st])
    print("retry-after", sum(1 for st, r in finals.values() if st == 503 and r))


if __name__ == "__main__":
    main()
