#!/usr/bin/env python3
"""A small REGISTER client over UDP for the cases SIPp cannot script: choosing one of several
digest challenges (SIPp 3.6.1 reads only the first and knows only MD5), SHA-256, replaying an
exact request, reusing a nonce with a higher nc, 423 and Contact: * rules.

    sipreg.py HOST:PORT CASE [--user 1000] [--password 1234] [--expect SHA-256,MD5]

Prints one line per check and exits 1 if any failed. Standard library only."""
import argparse
import hashlib
import re
import socket
import sys
import time
import uuid


class Client:
    def __init__(self, target, user, password, bind="127.0.0.1"):
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.user, self.password = user, password
        self.bind = bind
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((bind, 0))
        self.sock.settimeout(3)
        self.port = self.sock.getsockname()[1]
        self.call_id = uuid.uuid4().hex
        self.cseq = 0

    def contact(self):
        return f"<sip:{self.user}@{self.bind}:{self.port}>"

    def build(self, headers):
        self.cseq += 1
        host = self.target[0]
        lines = [
            f"REGISTER sip:{host} SIP/2.0",
            f"Via: SIP/2.0/UDP {self.bind}:{self.port};branch=z9hG4bK{uuid.uuid4().hex};rport",
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

    def authorization(self, challenge, nc=1, cnonce="0a4f113b", password=None, user=None):
        alg = challenge.get("algorithm", "MD5")
        h = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[alg]
        uri = f"sip:{self.target[0]}"
        user = user or self.user
        password = password or self.password
        ha1 = h(f"{user}:{challenge['realm']}:{password}".encode()).hexdigest()
        ha2 = h(f"REGISTER:{uri}".encode()).hexdigest()
        ncs = f"{nc:08x}"
        resp = h(f"{ha1}:{challenge['nonce']}:{ncs}:{cnonce}:auth:{ha2}".encode()).hexdigest()
        return (f'Authorization: Digest username="{user}", realm="{challenge["realm"]}", '
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

    def challenges(self, header="www-authenticate"):
        out = []
        for v in self.all(header):
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
    """Methods we do not implement are refused by the stack: 405 when known, 501 when not. INFO,
    MESSAGE and NOTIFY are relayed within calls only: outside one, 481."""
    for method, want in (("SUBSCRIBE", 405), ("PUBLISH", 405), ("REFER", 405), ("NOTIFY", 481),
                         ("MESSAGE", 481), ("INFO", 481), ("FOO", 501)):
        text = c.build(["Event: presence"]).replace("REGISTER", method)
        r = c.send_raw(text)
        check(f"{method} gets {want} (got {r.status})", r.status == want)


def case_offer(c, expect):
    """The 401 offers exactly the expected algorithms (per-user auth-algorithms), in order, and
    an answer with the preferred one registers."""
    r = c.send([f"Contact: {c.contact()}", "Expires: 300"])
    algs = [ch.get("algorithm") for ch in r.challenges()]
    check(f"401 offers {expect} (got {algs})", r.status == 401 and algs == expect)
    if not algs:
        return
    r = c.send([f"Contact: {c.contact()}", "Expires: 300", c.authorization(r.challenges()[0])])
    check(f"{algs[0]} answer gets 200 (got {r.status})", r.status == 200)


def case_invite_offer(c, expect):
    """An INVITE from the user is challenged (407) with the user's algorithms too."""
    host = c.target[0]
    branch = f"z9hG4bK{uuid.uuid4().hex}"
    sdp = (f"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           f"m=audio {c.port + 2} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
    common = [
        f"Via: SIP/2.0/UDP 127.0.0.1:{c.port};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:{c.user}@{host}>;tag=t{c.call_id[:8]}",
    ]
    text = "\r\n".join([f"INVITE sip:1000@{host} SIP/2.0"] + common + [
        f"To: <sip:1000@{host}>", f"Call-ID: {c.call_id}", "CSeq: 1 INVITE",
        f"Contact: {c.contact()}", "Content-Type: application/sdp",
        f"Content-Length: {len(sdp)}", "", sdp])
    r = c.send_raw(text)
    algs = [ch.get("algorithm") for ch in r.challenges("proxy-authenticate")]
    check(f"INVITE gets 407 offering {expect} (got {r.status} {algs})", r.status == 407 and algs == expect)
    to = r.all("to")[0] if r.all("to") else f"<sip:1000@{host}>"
    ack = "\r\n".join([f"ACK sip:1000@{host} SIP/2.0"] + common + [
        f"To: {to}", f"Call-ID: {c.call_id}", "CSeq: 1 ACK", "Content-Length: 0", "", ""])
    c.sock.sendto(ack.encode(), c.target)


def case_forged(c):
    """30 REGISTERs with forged credentials (20 made-up nonces, then 10 answers to a real nonce
    that was sent to another address) for known and unknown users: none counts as a failure of
    this source, which then registers with the right password."""
    me = c.user
    for i in range(20):
        user = c.user = me if i % 2 else f"99{i:02d}"
        nonce = uuid.uuid4().hex
        r = c.send([f"Contact: {c.contact()}",
                    f'Authorization: Digest username="{user}", realm="{c.target[0]}", '
                    f'nonce="{nonce}", uri="sip:{c.target[0]}", response="{"0" * 32}", '
                    'algorithm=MD5, qop=auth, nc=00000001, cnonce="x"'])
        check(f"made-up nonce #{i + 1} for '{user}' gets 401 (got {r.status})", r.status == 401)
    c.user = me
    other = Client(f"{c.target[0]}:{c.target[1]}", c.user, c.password, bind="127.0.0.2")
    ch = pick(other.send([f"Contact: {other.contact()}"]).challenges(), "MD5")
    for i in range(10):
        r = c.send([f"Contact: {c.contact()}", c.authorization(ch, nc=i + 1, password="guess")])
        check(f"nonce of 127.0.0.2 used from {c.bind} #{i + 1} gets 401 (got {r.status})",
              r.status == 401)
    r = authed(c, [f"Contact: {c.contact()}", "Expires: 300"])
    check(f"{c.bind} is not banned: the right password gets 200 (got {r.status})", r.status == 200)


def visible(r):
    """What a client learns from a reply, minus what is random per reply (nonces)."""
    out = [r.status]
    for name, value in r.headers:
        if name in ("via", "from", "to", "call-id", "cseq", "content-length"):
            continue
        out.append((name, re.sub(r'nonce="[^"]*"', 'nonce=""', value)))
    return out


def case_enum(c):
    """An unknown user and a known user with a wrong password get identical replies, from the
    first challenge to the ban. Run against a node with max_failures = 3."""
    known = Client(f"{c.target[0]}:{c.target[1]}", c.user, "wrong", bind="127.0.0.4")
    unknown = Client(f"{c.target[0]}:{c.target[1]}", "4242", "wrong", bind="127.0.0.5")
    for i in range(3):
        a = authed(known, [f"Contact: {known.contact()}"])
        b = authed(unknown, [f"Contact: {unknown.contact()}"])
        check(f"attempt {i + 1}: known/wrong password and unknown user get the same reply "
              f"({a.status}, {b.status})", visible(a) == visible(b))
    check("the third failure bans both sources alike (403)", a.status == 403 and b.status == 403)
    a = known.send([f"Contact: {known.contact()}"])
    b = unknown.send([f"Contact: {unknown.contact()}"])
    check(f"banned: the same 403 for both ({a.status}, {b.status})",
          a.status == 403 and visible(a) == visible(b))


def case_rate(c):
    """Against a node with [sip] source_rate = 5 and source_burst = 10: a burst of 30 REGISTERs
    gets its first 10 answered, then 503 with Retry-After; another address is unaffected; a
    second later the source is served again."""
    got = [c.send([f"Contact: {c.contact()}"]) for _ in range(30)]
    statuses = [r.status for r in got]
    check(f"the burst's first 10 are challenged ({statuses[:10]})", statuses[:10] == [401] * 10)
    refused = [r for r in got[10:] if r.status == 503 and r.all("retry-after")]
    check(f"most of the rest get 503 with Retry-After ({len(refused)} of 20)", len(refused) >= 15)
    other = Client(f"{c.target[0]}:{c.target[1]}", c.user, c.password, bind="127.0.0.6")
    check("another address is still served (401)", other.send([f"Contact: {other.contact()}"]).status == 401)
    time.sleep(1.2)
    check("a second later the source is served again (401)",
          c.send([f"Contact: {c.contact()}"]).status == 401)


CASES = {"md5-only": case_md5_only, "sha256": case_sha256, "replay": case_replay, "rules": case_rules,
         "junk": case_junk, "methods": case_methods, "offer": case_offer,
         "invite-offer": case_invite_offer, "forged": case_forged, "enum": case_enum,
         "rate": case_rate, "repeated": case_repeated}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--user", default="1000")
    ap.add_argument("--password", default="1234")
    ap.add_argument("--expect", default="MD5", help="offer: comma-separated algorithm list")
    ap.add_argument("--bind", default="127.0.0.1", help="local address to send from")
    a = ap.parse_args()
    try:
        client = Client(a.target, a.user, a.password, bind=a.bind)
        if a.case in ("offer", "invite-offer"):
            CASES[a.case](client, a.expect.split(","))
        else:
            CASES[a.case](client)
    except (socket.timeout, OSError, KeyError, TypeError, AttributeError) as e:
        check(f"{a.case}: exchange completed ({e!r})", False)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
