#!/usr/bin/env python3
"""Hostile SIP that SIPp cannot script: oversized messages and SDP, and Contacts that try to make
signald send INVITEs elsewhere. Real UDP/TCP to a running signald, standard library only.

    sipabuse.py HOST:PORT CASE

Cases: big-tcp (a 300 kB INVITE over TCP), big-udp (56 kB over UDP), sdp-caps (over-limit SDP from an authenticated
caller, then a normal call), maddr (Contacts with maddr= or a foreign transport). Prints one
line per check and exits 1 if any failed."""
import argparse
import hashlib
import re
import socket
import sys
import time
import uuid

FAILED = []


def check(what, ok):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        FAILED.append(what)


class Msg:
    def __init__(self, data):
        head, _, self.body = data.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.first = lines[0]
        parts = self.first.split(" ", 2)
        self.status = int(parts[1]) if parts[0].startswith("SIP/") else 0
        self.method = "" if self.status else parts[0]
        self.headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip()))

    def get(self, name):
        for n, v in self.headers:
            if n == name.lower():
                return v
        return None

    def challenge(self, name):
        v = self.get(name) or ""
        return dict((k.lower(), a or b) for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', v))


def digest(user, password, method, uri, ch, nc=1):
    h = hashlib.md5
    ha1 = h(f"{user}:{ch['realm']}:{password}".encode()).hexdigest()
    ha2 = h(f"{method}:{uri}".encode()).hexdigest()
    ncs = f"{nc:08x}"
    resp = h(f"{ha1}:{ch['nonce']}:{ncs}:abcdef:auth:{ha2}".encode()).hexdigest()
    return (f'Digest username="{user}", realm="{ch["realm"]}", nonce="{ch["nonce"]}", uri="{uri}", '
            f'response="{resp}", algorithm=MD5, qop=auth, nc={ncs}, cnonce="abcdef"')


class Udp:
    """One UDP SIP endpoint on 127.0.0.1 (or another loopback address)."""

    def __init__(self, target, ip="127.0.0.1", port=0):
        host, p = target.rsplit(":", 1)
        self.target = (host, int(p))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, port))
        self.ip, self.port = self.sock.getsockname()

    def send(self, text, to=None):
        self.sock.sendto(text.encode(), to or self.target)

    def recv(self, timeout):
        self.sock.settimeout(timeout)
        data, src = self.sock.recvfrom(65535)
        return Msg(data.decode(errors="replace")), src

    def final(self, timeout=5):
        """The first final response; provisional ones are skipped."""
        end = time.monotonic() + timeout
        while True:
            m, _ = self.recv(max(0.05, end - time.monotonic()))
            if m.status >= 200:
                return m


def request(method, ruri, ep, user, call_id, cseq, branch, headers=(), body="", tag="a1"):
    lines = [f"{method} {ruri} SIP/2.0",
             f"Via: SIP/2.0/UDP {ep.ip}:{ep.port};branch={branch};rport",
             "Max-Forwards: 70",
             f"From: <sip:{user}@{ep.target[0]}>;tag={tag}",
             f"To: <{ruri}>" if method != "REGISTER" else f"To: <sip:{user}@{ep.target[0]}>",
             f"Call-ID: {call_id}", f"CSeq: {cseq} {method}",
             f"Contact: <sip:{user}@{ep.ip}:{ep.port}>"] + list(headers)
    if body:
        lines.append("Content-Type: application/sdp")
    lines += [f"Content-Length: {len(body.encode())}", "", body]
    return "\r\n".join(lines)


def ack_for(invite_text, resp):
    """The ACK of a non-2xx final response: same branch, the response's To."""
    lines = invite_text.split("\r\n")
    ruri = lines[0].split(" ")[1]
    keep = [line for line in lines[1:] if line.split(":", 1)[0] in ("Via", "From", "Call-ID")]
    cseq = re.search(r"CSeq: (\d+)", invite_text).group(1)
    return "\r\n".join([f"ACK {ruri} SIP/2.0"] + keep + ["Max-Forwards: 70", f"To: {resp.get('to')}",
                        f"CSeq: {cseq} ACK", "Content-Length: 0", "", ""])


def register(ep, user, contact=None, password="1234"):
    call_id = uuid.uuid4().hex
    extra = [f"Contact: {contact}"] if contact else []
    text = request("REGISTER", f"sip:{ep.target[0]}", ep, user, call_id, 1, "z9hG4bK" + uuid.uuid4().hex,
                   ["Expires: 300"] + extra)
    if contact:
        text = re.sub(r"Contact: <sip:[^>]*>\r\n", "", text, count=1)
    ep.send(text)
    r = ep.final()
    if r.status != 401:
        return r
    auth = digest(user, password, "REGISTER", f"sip:{ep.target[0]}", r.challenge("www-authenticate"))
    text = request("REGISTER", f"sip:{ep.target[0]}", ep, user, call_id, 2, "z9hG4bK" + uuid.uuid4().hex,
                   ["Expires: 300", f"Authorization: {auth}"] + extra)
    if contact:
        text = re.sub(r"Contact: <sip:[^>]*>\r\n", "", text, count=1)
    ep.send(text)
    return ep.final()


def sdp(formats=("0",), attrs=(), pad=0, port=40000):
    lines = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
             f"m=audio {port} RTP/AVP " + " ".join(formats)] + list(attrs)
    lines += [f"a=x-pad:{'x' * 100}"] * pad
    return "\r\n".join(lines) + "\r\n"


def invite(ep, callee, body, user="1000", password="1234"):
    """An INVITE answered with 407, then again with credentials. Returns (final, seconds)."""
    call_id = uuid.uuid4().hex
    ruri = f"sip:{callee}@{ep.target[0]}"
    text = request("INVITE", ruri, ep, user, call_id, 1, "z9hG4bK" + uuid.uuid4().hex, body=body)
    ep.send(text)
    r = ep.final()
    ep.send(ack_for(text, r))
    if r.status != 407:
        return r, 0.0
    auth = digest(user, password, "INVITE", ruri, r.challenge("proxy-authenticate"))
    text = request("INVITE", ruri, ep, user, call_id, 2, "z9hG4bK" + uuid.uuid4().hex,
                   [f"Proxy-Authorization: {auth}"], body)
    t = time.monotonic()
    ep.send(text)
    r = ep.final()
    took = time.monotonic() - t
    ep.send(ack_for(text, r))
    return r, took


def case_big_tcp(target):
    host, port = target.rsplit(":", 1)
    body = sdp(pad=3000)  # ~310 kB
    ep = type("E", (), {"ip": "127.0.0.1", "port": 5999, "target": (host, int(port))})
    text = request("INVITE", f"sip:1001@{host}", ep, "1000", uuid.uuid4().hex, 1,
                   "z9hG4bK" + uuid.uuid4().hex, body=body).replace("SIP/2.0/UDP", "SIP/2.0/TCP")
    s = socket.create_connection((host, int(port)), timeout=5)
    t = time.monotonic()
    try:
        s.sendall(text.encode())
    except OSError:
        pass  # the server may close before taking it all; the answer is what counts
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65535)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    took = time.monotonic() - t
    s.close()
    status = Msg(data.decode(errors="replace")).status if data else 0
    check(f"{len(text) // 1024} kB INVITE over TCP: 413 (got {status}) in {took * 1000:.0f} ms",
          status == 413 and took < 1.0)


def case_big_udp(target):
    """A 56 kB INVITE in one datagram, over [sip] max_message_kb = 48: 413 from the stack."""
    ep = Udp(target)
    text = request("INVITE", f"sip:1001@{ep.target[0]}", ep, "1000", uuid.uuid4().hex, 1,
                   "z9hG4bK" + uuid.uuid4().hex, body=sdp(pad=540))
    t = time.monotonic()
    ep.send(text)
    r = ep.final()
    took = time.monotonic() - t
    check(f"{len(text) // 1024} kB INVITE over UDP: 413 (got {r.status}) in {took * 1000:.0f} ms",
          r.status == 413 and took < 1.0)


def case_sdp_caps(target):
    callee = Udp(target)
    check("callee 1001 registers", register(callee, "1001").status == 200)
    caller = Udp(target)
    r, took = invite(caller, "1001", sdp(pad=400))  # ~41 kB, over max_sdp_bytes, under the SIP limit
    check(f"41 kB SDP over UDP: 413 (got {r.status}) in {took * 1000:.0f} ms", r.status == 413 and took < 1.0)
    check("413 says why in a Warning", "SDP bytes" in (r.get("warning") or ""))
    r, took = invite(caller, "1001", sdp(formats=[str(96 + i % 32) for i in range(100)]))
    check(f"100 formats: 488 (got {r.status})", r.status == 488)
    check("488 says why in a Warning", "formats: 100" in (r.get("warning") or ""))
    r, took = invite(caller, "1001", sdp(attrs=[f"a=x-{i}" for i in range(300)]))
    check(f"300 attributes: 488 (got {r.status})", r.status == 488)
    # The next ordinary call still goes through to the callee.
    call_id = uuid.uuid4().hex
    ruri = f"sip:1001@{caller.target[0]}"
    text = request("INVITE", ruri, caller, "1000", call_id, 1, "z9hG4bK" + uuid.uuid4().hex,
                   body=sdp(formats=("0", "8")))
    caller.send(text)
    r = caller.final()
    caller.send(ack_for(text, r))
    auth = digest("1000", "1234", "INVITE", ruri, r.challenge("proxy-authenticate"))
    text = request("INVITE", ruri, caller, "1000", call_id, 2, "z9hG4bK" + uuid.uuid4().hex,
                   [f"Proxy-Authorization: {auth}"], sdp(formats=("0", "8")))
    caller.send(text)
    got = None
    end = time.monotonic() + 5
    while time.monotonic() < end:
        m, src = callee.recv(end - time.monotonic())
        if m.method == "INVITE":
            got = m
            break
    check("a normal call right after reaches the callee", got is not None)
    if got:
        vias = [f"Via: {v}" for n, v in got.headers if n == "via"]
        resp = "\r\n".join(["SIP/2.0 486 Busy Here"] + vias + [
            f"From: {got.get('from')}", f"To: {got.get('to')};tag=b1", f"Call-ID: {got.get('call-id')}",
            f"CSeq: {got.get('cseq')}", "Content-Length: 0", "", ""])
        callee.send(resp, src)
        r = caller.final()
        caller.send(ack_for(text, r))
        check(f"its refusal comes back to the caller (486, got {r.status})", r.status == 486)


def invite_no_wait(ep, callee, body, user="1000", password="1234"):
    """Sends an authenticated INVITE and returns without waiting for its answer."""
    call_id = uuid.uuid4().hex
    ruri = f"sip:{callee}@{ep.target[0]}"
    text = request("INVITE", ruri, ep, user, call_id, 1, "z9hG4bK" + uuid.uuid4().hex, body=body)
    ep.send(text)
    r = ep.final()
    ep.send(ack_for(text, r))
    auth = digest(user, password, "INVITE", ruri, r.challenge("proxy-authenticate"))
    ep.send(request("INVITE", ruri, ep, user, call_id, 2, "z9hG4bK" + uuid.uuid4().hex,
                    [f"Proxy-Authorization: {auth}"], body))


def first_invite(ep, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            m, _ = ep.recv(end - time.monotonic())
        except socket.timeout:
            return None
        if m.method == "INVITE":
            return m
    return None


def case_maddr(target):
    # The address the attacker wants INVITEs sent to: the registering port on another loopback
    # address, so that only maddr= differs from where the REGISTER came from.
    reg = Udp(target)
    victim = Udp(target, "127.0.0.2", reg.port)
    r = register(reg, "1002", f"<sip:1002@127.0.0.1:{reg.port};maddr=127.0.0.2>")
    check(f"Contact with maddr= refused with 400 (got {r.status})", r.status == 400)
    r = register(reg, "1002", f"<sip:1002@127.0.0.1:{reg.port};transport=sctp>")
    check(f"Contact with transport=sctp refused with 400 (got {r.status})", r.status == 400)
    r = register(reg, "1002", f"<sips:1002@127.0.0.1:{reg.port}>")
    check(f"sips: Contact refused with 400 (got {r.status})", r.status == 400)
    # A contact naming another address is reached only through where it registered from.
    r = register(reg, "1003", f"<sip:1003@127.0.0.2:{reg.port};transport=UDP>")
    check(f"Contact at another address accepted (got {r.status})", r.status == 200)
    caller = Udp(target)
    invite_no_wait(caller, "1003", sdp(formats=("0",)))
    check("the INVITE for 1003 reaches the address it registered from",
          first_invite(reg, 3) is not None)
    invite_no_wait(caller, "1002", sdp(formats=("0",)))
    check("no INVITE for 1002 reached the other address", first_invite(victim, 1.5) is None)
    try:
        status = caller.final(1).status
    except socket.timeout:
        status = 0
    check(f"1002 (refused contacts only) is not registered: 480 (got {status})", status == 480)


CASES = {"big-tcp": case_big_tcp, "big-udp": case_big_udp, "sdp-caps": case_sdp_caps, "maddr": case_maddr}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    try:
        CASES[a.case](a.target)
    except (socket.timeout, OSError, KeyError, TypeError, AttributeError, ValueError) as e:
        check(f"{a.case}: exchange completed ({e!r})", False)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
