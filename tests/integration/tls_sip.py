#!/usr/bin/env python3
"""SIP over TLS from the test side, for what SIPp cannot do (Debian's SIPp has no TLS).

    tls_sip.py HOST:PORT register USER PASSWORD --cafile CA     REGISTER with digest, expect 200
    tls_sip.py HOST:PORT churn N --cafile CA                    N connections: handshake, OPTIONS,
                                                                answer read, close
    tls_sip.py HOST:PORT handshake [--cert PEM] --cafile CA     exit 0 when the handshake and an
                                                                OPTIONS succeed, 1 when refused
    tls_sip.py HOST:PORT fingerprint --cafile CA                print the server certificate's
                                                                SHA-256 fingerprint

Standard library only; MD5 here is the test's own digest computation, not the product's."""
import argparse
import hashlib
import re
import socket
import ssl
import sys
import uuid


def context(cafile, cert=None, verify=True):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify:
        ctx.load_verify_locations(cafile)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(cert)
    return ctx


def connect(target, ctx):
    host, port = target.rsplit(":", 1)
    raw = socket.create_connection((host, int(port)), timeout=5)
    return ctx.wrap_socket(raw, server_hostname=host)


def read_response(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed before an answer")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    text = head.decode("utf-8", "replace")
    m = re.search(r"^Content-Length:\s*(\d+)", text, re.I | re.M)
    need = int(m.group(1)) if m else 0
    while len(body) < need:
        chunk = s.recv(4096)
        if not chunk:
            break
        body += chunk
    return text


def request(s, method, target, user, extra="", cseq=1, call_id=None, tag=None):
    host = target.rsplit(":", 1)[0]
    local = s.getsockname()
    call_id = call_id or uuid.uuid4().hex
    tag = tag or uuid.uuid4().hex[:8]
    ruri = f"sip:{host}" if method == "REGISTER" else f"sip:{target}"
    msg = (
        f"{method} {ruri} SIP/2.0\r\n"
        f"Via: SIP/2.0/TLS {local[0]}:{local[1]};branch=z9hG4bK{uuid.uuid4().hex};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:{user}@{host}>;tag={tag}\r\n"
        f"To: <sip:{user}@{host}>\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: {cseq} {method}\r\n"
        f"Contact: <sip:{user}@{local[0]}:{local[1]};transport=tls>\r\n"
        f"{extra}"
        f"Content-Length: 0\r\n\r\n"
    )
    s.sendall(msg.encode())
    return read_response(s), call_id, tag


def status(resp):
    return int(resp.split(" ", 2)[1])


def register(target, user, password, ctx):
    host = target.rsplit(":", 1)[0]
    with connect(target, ctx) as s:
        resp, cid, tag = request(s, "REGISTER", target, user, "Expires: 300\r\n")
        if status(resp) != 401:
            print(f"expected 401, got: {resp.splitlines()[0]}")
            return 1
        ch = re.search(r"^WWW-Authenticate:\s*Digest\s+(.*)$", resp, re.I | re.M).group(1)
        realm = re.search(r'realm="([^"]*)"', ch).group(1)
        nonce = re.search(r'nonce="([^"]*)"', ch).group(1)
        qop = "auth" if re.search(r'qop="?[^"]*auth', ch) else None
        uri = f"sip:{host}"
        ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"REGISTER:{uri}".encode()).hexdigest()
        auth = f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", algorithm=MD5'
        if qop:
            cnonce, nc = uuid.uuid4().hex[:8], "00000001"
            r = hashlib.md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}".encode()).hexdigest()
            auth += f', qop=auth, nc={nc}, cnonce="{cnonce}", response="{r}"'
        else:
            r = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()
            auth += f', response="{r}"'
        resp, _, _ = request(s, "REGISTER", target, user,
                             f"Expires: 300\r\nAuthorization: {auth}\r\n", cseq=2,
                             call_id=cid, tag=tag)
        print(resp.splitlines()[0])
        return 0 if status(resp) == 200 else 1


def options(target, ctx):
    with connect(target, ctx) as s:
        resp, _, _ = request(s, "OPTIONS", target, "probe")
        return status(resp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("mode", choices=["register", "churn", "handshake", "fingerprint"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--cert")
    a = ap.parse_args()
    ctx = context(a.cafile, a.cert)
    if a.mode == "register":
        return register(a.target, a.args[0], a.args[1], ctx)
    if a.mode == "churn":
        n, failed = int(a.args[0]), 0
        for _ in range(n):
            try:
                if options(a.target, ctx) != 200:
                    failed += 1
            except (OSError, ConnectionError):
                failed += 1
        print(f"{n} connections, {failed} failed")
        return 0 if failed == 0 else 1
    if a.mode == "handshake":
        try:
            code = options(a.target, ctx)
            print(f"OPTIONS answered {code}")
            return 0 if code == 200 else 1
        except (OSError, ConnectionError) as e:
            print(f"refused: {e}")
            return 1
    if a.mode == "fingerprint":
        with connect(a.target, context(a.cafile, verify=False)) as s:
            print(hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest())
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
