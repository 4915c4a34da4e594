#!/usr/bin/env python3
"""A small REGISTER client over UDP for the cases SIPp cannot script: choosing one of several
digest challenges (SIPp 3.6.1 reads only the first and knows only MD5), SHA-256, replaying an
exact request, reusing a nonce with a higher nc, 423 and Contact: * rules.

    sipreg.py HOST:PORT CASE [--user 1000] [--password 1234]

Prints one line per check and exits 1 if any failed. Standard library only."""
import argparse
import hashlib
import re
import socket
import sys
import uuid


class Client:
    def __init__(self, target, user, password):
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.user, self.password = user, password
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(3)
        self.port = self.sock.getsockname()[1]
        self.call_id = uuid.uuid4().hex
        self.cseq = 0

    def contact(self):
        return f"<sip:{self.user}@127.0.0.1:{self.port}>"

    def build(self, headers):
        self.cseq += 1
        host = self.target[0]
        lines = [
            f"REGISTER sip:{host} SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK{uuid.uuid4().hex};rport",
            "Max-Forwards: 70",
            f"From: <sip:{self.user}@{host}>;tag=t{self.call_id[:8]}",
            f"To: <sip:{self.user}@{host}>",
            f"Call-ID: {self.call_id}",
            f"CSeq: {self.cseq} REGISTER",
            "User-Agent: sipreg.py",
        ] + headers + ["Content-Length: 0", "", ""]
        return "\r\n".join(lines)

    def send_raw(self, text):
        self.sock.sendto(text.encode(), self.target)
        while True:
            data = self.sock.recv(65535).decode(errors="replace")
            status = int(data.split(" ", 2)[1])
            if status >= 200:
                return Response(data)

    def send(self, headers):
        return self.send_raw(self.build(headers))

    def authorization(self, challenge, nc=1, cnonce="0a4f113b"):
        alg = challenge.get("algorithm", "MD5")
        h = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[alg]
        uri = f"sip:{self.target[0]}"
        ha1 = h(f"{self.user}:{challenge['realm']}:{self.password}".encode()).hexdigest()
        ha2 = h(f"REGISTER:{uri}".encode()).hexdigest()
        ncs = f"{nc:08x}"
        resp = h(f"{ha1}:{challenge['nonce']}:{ncs}:{cnonce}:auth:{ha2}".encode()).hexdigest()
        return (f'Authorization: Digest username="{self.user}", realm="{challenge["realm"]}", '
                f'nonce="{challenge["nonce"]}", uri="{uri}", response="{resp}", '
                f'algorithm={alg}, qop=auth, nc={ncs}, cnonce="{cnonce}"')


class Response:
    def __init__(self, data):
        head = data.split("\r\n\r\n", 1)[0].split("\r\n")
        self.status = int(head[0].split(" ", 2)[1])
        self.headers = []
        for line in head[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip()))

    def all(self, name):
        return [v for n, v in self.headers if n == name.lower()]

    def challenges(self):
        out = []
        for v in self.all("www-authenticate"):
            params = dict((k.lower(), a or b) for k, a, b in
                          re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', v))
            out.append(params)
        return out


FAILED = []


def check(what, ok):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        FAILED.append(what)


def pick(challenges, alg):
    for c in challenges:
        if c.get("algorithm", "MD5") == alg:
            return c
    return None


def case_md5_only(c):
    """A client that knows only MD5 skips the SHA-256 challenge offered first."""
    r = c.send([f"Contact: {c.contact()}", "Expires: 300"])
    algs = [ch.get("algorithm") for ch in r.challenges()]
    check("401 offers SHA-256 then MD5", r.status == 401 and algs == ["SHA-256", "MD5"])
    r = c.send([f"Contact: {c.contact()}", "Expires: 300", c.authorization(pick(r.challenges(), "MD5"))])
    check("MD5 answer to a two-challenge 401 gets 200", r.status == 200)
    check("200 lists the binding", any(f"127.0.0.1:{c.port}" in v for v in r.all("contact")))


def case_sha256(c):
    r = c.send([f"Contact: {c.contact()}", "Expires: 300"])
    r = c.send([f"Contact: {c.contact()}", "Expires: 300", c.authorization(pick(r.challenges(), "SHA-256"))])
    check("SHA-256 answer gets 200", r.status == 200)


def case_replay(c):
    """The exact same authenticated request twice: the second is a replay (same nonce and nc)."""
    r = c.send([f"Contact: {c.contact()}", "Expires: 300"])
    ch = pick(r.challenges(), "MD5")
    auth = c.authorization(ch, nc=1)
    text = c.build([f"Contact: {c.contact()}", "Expires: 300", auth])
    r = c.send_raw(text)
    check("first use of nonce with nc=1 gets 200", r.status == 200)
    # An eavesdropper resends the credentials in a new transaction with a higher CSeq (the digest
    # does not cover CSeq; an identical CSeq would only be caught by loop detection).
    text2 = text.replace("branch=z9hG4bK", "branch=z9hG4bKre").replace(
        f"CSeq: {c.cseq} ", f"CSeq: {c.cseq + 50} ")
    r = c.send_raw(text2)
    check(f"replayed nonce/nc gets 401 (got {r.status})", r.status == 401)
    check("replay challenge says stale=true",
          r.challenges() and all(x.get("stale") == "true" for x in r.challenges()))
    r = c.send([f"Contact: {c.contact()}", "Expires: 300", c.authorization(ch, nc=2)])
    check("same nonce with nc=2 gets 200", r.status == 200)
    r = c.send([f"Contact: {c.contact()}", "Expires: 300", c.authorization(ch, nc=2)])
    check("nc=2 again gets 401", r.status == 401)


def authed(c, headers):
    r = c.send(headers)
    return c.send(headers + [c.authorization(pick(r.challenges(), "MD5"))])


def case_rules(c):
    r = authed(c, [f"Contact: {c.contact()}", "Expires: 5"])
    check("Expires below min_expires gets 423", r.status == 423)
    check("423 carries Min-Expires", r.all("min-expires") == ["60"])
    r = authed(c, [f"Contact: {c.contact()};expires=600", "Expires: 5"])
    check("contact expires param wins over the header", r.status == 200
          and any("expires=600" in v for v in r.all("contact")))
    r = authed(c, ["Contact: *"])
    check("Contact: * without Expires: 0 gets 400", r.status == 400)
    r = authed(c, ["Contact: *", "Expires: 0"])
    check("Contact: * with Expires: 0 gets 200 and no bindings", r.status == 200 and not r.all("contact"))


def case_junk(c):
    """Hostile or broken requests get a proper answer and leave the user's binding alone."""
    r = authed(c, [f"Contact: {c.contact()}", "Expires: 300"])
    check("baseline registration gets 200", r.status == 200)
    r = c.send([f"Contact: {c.contact()}", "X-Filler: " + "x" * 30000])
    check("30 kB header: still answered (401)", r.status == 401)
    r = authed(c, [f"Contact: <sip:{c.user}@127.0.0.1:5999;x={'y' * 2000}>"])
    check("2 kB contact URI gets 400", r.status == 400)
    many = ", ".join(f"<sip:{c.user}@127.0.0.1:{6000 + i}>" for i in range(40))
    r = c.send([f"Contact: {many}"])
    check("40 contacts in one REGISTER get 403 (before any challenge)", r.status == 403)
    r = c.send([f"Contact: {c.contact()}", "Expires: soon"])
    check("unparsable Expires gets 400", r.status == 400)
    r = c.send([f"Contact: {c.contact()}", 'Authorization: Digest username="x", realm='])
    check("broken Authorization gets 400", r.status == 400)
    r = c.send_raw(c.build([f"Contact: {c.contact()}"]).replace(f"To: <sip:{c.user}@{c.target[0]}>\r\n", ""))
    check("REGISTER without To gets 400", r.status == 400)
    r = authed(c, [])
    check("the binding survived all of it", r.status == 200
          and any(f"127.0.0.1:{c.port}>" in v for v in r.all("contact")))


def case_repeated(c):
    """Single-instance headers given twice (sofia files the second copy with the parse errors):
    answered, and the node still serves the user."""
    r = c.send_raw(c.build([f"Contact: {c.contact()}"]).replace("Max-Forwards: 70\r\n",
                                                                 "Max-Forwards: 70\r\nMax-Forwards: 70\r\n"))
    check(f"two Max-Forwards headers: answered ({r.status})", r.status in (400, 401))
    r = c.send([f"Contact: {c.contact()}", "Expires: 300", "Expires: 300"])
    check(f"two Expires headers: answered ({r.status})", r.status in (400, 401))
    r = authed(c, [f"Contact: {c.contact()}", "Expires: 300"])
    check("registration still works afterwards", r.status == 200)


def case_methods(c):
    """Methods we do not implement are refused by the stack: 405 when known, 501 when not."""
    for method, want in (("SUBSCRIBE", 405), ("PUBLISH", 405), ("MESSAGE", 405), ("FOO", 501)):
        text = c.build(["Event: presence"]).replace("REGISTER", method)
        r = c.send_raw(text)
        check(f"{method} gets {want} (got {r.status})", r.status == want)


CASES = {"md5-only": case_md5_only, "sha256": case_sha256, "replay": case_replay, "rules": case_rules,
         "junk": case_junk, "methods": case_methods, "repeated": case_repeated}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--user", default="1000")
    ap.add_argument("--password", default="1234")
    a = ap.parse_args()
    try:
        CASES[a.case](Client(a.target, a.user, a.password))
    except (socket.timeout, OSError, KeyError, TypeError, AttributeError) as e:
        check(f"{a.case}: exchange completed ({e!r})", False)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
