#!/usr/bin/env python3
"""rtpe_ng.py: sets up and tears down rtp_load's calls on rtpengine through its ng control
protocol (bencoded dictionaries over UDP, each datagram "COOKIE <bencode>").

  rtpe_ng.py ping   --ng HOST:PORT
  rtpe_ng.py setup  --ng HOST:PORT --calls N [--chain K] --base-port P --prefix ID --out FILE
                    [--srtp a|ab --srtp-suite SUITE [--srtp-suite-b SUITE] --keys FILE]
  rtpe_ng.py delete --ng HOST:PORT --calls N [--chain K] --prefix ID

setup: call i is an offer from A (127.0.0.1:P+2i) and an answer from B (127.0.0.1:P+2i+1), the
layout rtp_load uses; FILE gets one line "a_ip a_port b_ip b_port" per call, where A and B must
send (the ports rtpengine put in the answer and in the offer). With --chain K each call crosses
K rtpengine calls in a row (see setup()). With --srtp (chain 1 only) leg A, or both legs,
speak SDES SRTP: A offers RTP/SAVP with its own a=crypto key, rtpengine offers B plain RTP/AVP
(--srtp a) or RTP/SAVP (--srtp ab; B answers the line of --srtp-suite-b, default SUITE, with
its own key), and rtpengine's answer gives A its key. rtpengine offers B the suites A offered
with A's own keys, so with one suite on both legs it forwards SRTP as it is; only a suite of its
own making (--srtp-suite-b other than SUITE) has it decrypt and encrypt again; --keys FILE
gets one line per call "a_own a_relay b_own b_relay" (key + salt in hex, "-" for a plain leg),
rtp_load's --srtp-keys.
Python 3 standard library only.
"""
import base64
import argparse
import os
import re
import socket
import sys


def bencode(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(bencode(x) for x in v) + b"e"
    if isinstance(v, dict):
        return b"d" + b"".join(bencode(k) + bencode(v[k]) for k in sorted(v)) + b"e"
    raise TypeError(type(v))


def bdecode(data, i=0):
    """Returns (value, next index); strings stay bytes."""
    c = data[i:i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1:end]), end + 1
    if c == b"l":
        i, out = i + 1, []
        while data[i:i + 1] != b"e":
            v, i = bdecode(data, i)
            out.append(v)
        return out, i + 1
    if c == b"d":
        i, out = i + 1, {}
        while data[i:i + 1] != b"e":
            k, i = bdecode(data, i)
            v, i = bdecode(data, i)
            out[k.decode()] = v
        return out, i + 1
    if c.isdigit():
        colon = data.index(b":", i)
        n = int(data[i:colon])
        return data[colon + 1:colon + 1 + n], colon + 1 + n
    raise ValueError("bad bencode at %d" % i)


class Ng:
    """One UDP socket to rtpengine's ng port; requests are sent one at a time."""

    def __init__(self, target, timeout=2.0, tries=3):
        host, port = target.rsplit(":", 1)
        self.addr = (host, int(port))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(timeout)
        self.tries = tries
        self.seq = 0
        self.tag = "%x" % os.getpid()

    def request(self, msg):
        self.seq += 1
        cookie = ("%s_%d" % (self.tag, self.seq)).encode()
        pkt = cookie + b" " + bencode(msg)
        for _ in range(self.tries):  # rtpengine caches replies by cookie: a resend is safe
            self.sock.sendto(pkt, self.addr)
            try:
                while True:
                    data, _ = self.sock.recvfrom(65535)
                    c, _, body = data.partition(b" ")
                    if c == cookie:
                        reply, _ = bdecode(body)
                        return reply
            except socket.timeout:
                continue
        raise TimeoutError("rtpengine %s:%d did not answer %s" % (self.addr + (msg["command"],)))


def sdp(session, ip, port, crypto=None):
    """crypto: (tag, suite, key) to offer or answer SDES SRTP (RTP/SAVP), None for RTP/AVP."""
    proto = "RTP/SAVP" if crypto else "RTP/AVP"
    body = ("v=0\r\no=- %d 1 IN IP4 %s\r\ns=rtp_load\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d %s 8\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\na=sendrecv\r\n"
            % (session, ip, ip, port, proto))
    if crypto:
        body += "a=crypto:%s %s inline:%s\r\n" % (crypto[0], crypto[1],
                                                   base64.b64encode(crypto[2]).decode())
    return body


# Master key + salt octets per SDES suite (RFC 4568, RFC 7714).
SUITE_KEY_LEN = {"AES_CM_128_HMAC_SHA1_80": 30, "AES_CM_128_HMAC_SHA1_32": 30,
                 "AEAD_AES_128_GCM": 28, "AEAD_AES_256_GCM": 44}


def reply_crypto(reply, suite, what):
    """(tag, key) of the a=crypto line for suite in the SDP rtpengine returned."""
    body = reply["sdp"].decode()
    m = re.search(r"^a=crypto:(\d+) %s inline:([A-Za-z0-9+/=]+)" % re.escape(suite), body, re.M)
    if not m:
        raise RuntimeError("%s: rtpengine's SDP has no %s a=crypto line" % (what, suite))
    key = base64.b64decode(m.group(2) + "=" * (-len(m.group(2)) % 4))  # rtpengine drops the padding
    if len(key) != SUITE_KEY_LEN[suite]:
        raise RuntimeError("%s: %s key of %d octets" % (what, suite, len(key)))
    return m.group(1), key


def media_addr(reply, what):
    if reply.get("result") != b"ok":
        raise RuntimeError("%s: %s" % (what, reply.get("error-reason", reply.get("result"))))
    body = reply["sdp"].decode()
    c = re.search(r"^c=IN IP4 (\S+)", body, re.M)
    m = re.search(r"^m=audio (\d+) ", body, re.M)
    if not c or not m:
        raise RuntimeError("%s: no audio address in the SDP rtpengine returned" % what)
    return c.group(1), int(m.group(1))


def flags():
    return {"replace": ["origin", "session-connection"], "ICE": "remove",
            "transport-protocol": "RTP/AVP"}


def srtp_flags(args, towards_b):
    """ng flags of an SRTP call: leg B's protocol on the offer, leg A's on the answer."""
    savp = not towards_b or args.srtp == "ab"
    return dict(flags(), DTLS="off", **{"transport-protocol": "RTP/SAVP" if savp else "RTP/AVP"})


def setup_srtp(ng, args):
    """Chain 1: one rtpengine call per generator call, with the SRTP legs --srtp names."""
    out, keys = [], []
    suite, klen = args.srtp_suite, SUITE_KEY_LEN[args.srtp_suite]
    for i in range(args.calls):
        a_port = args.base_port + 2 * i
        b_port = a_port + 1
        cid = call_id(args, i, 0)
        a_own = os.urandom(klen)
        offer = dict(srtp_flags(args, True), command="offer",
                     **{"call-id": cid, "from-tag": "a%d" % i,
                        "sdp": sdp(i, "127.0.0.1", a_port, ("1", suite, a_own))})
        reply = ng.request(offer)
        b_face = media_addr(reply, "offer " + cid)
        b_crypto, b_own, b_relay = None, None, None
        if args.srtp == "ab":
            suite_b = args.srtp_suite_b or suite
            tag, b_relay = reply_crypto(reply, suite_b, "offer " + cid)
            b_own = os.urandom(SUITE_KEY_LEN[suite_b])
            b_crypto = (tag, suite_b, b_own)
        answer = dict(srtp_flags(args, False), command="answer",
                      **{"call-id": cid, "from-tag": "a%d" % i, "to-tag": "b%d" % i,
                         "sdp": sdp(i, "127.0.0.1", b_port, b_crypto)})
        reply = ng.request(answer)
        a_face = media_addr(reply, "answer " + cid)
        _, a_relay = reply_crypto(reply, suite, "answer " + cid)
        out.append("%s %d %s %d\n" % (a_face + b_face))
        keys.append("%s %s %s %s\n" % tuple(k.hex() if k else "-"
                                            for k in (a_own, a_relay, b_own, b_relay)))
    with open(args.out, "w") as f:
        f.writelines(out)
    with open(args.keys, "w") as f:
        f.writelines(keys)
    print("rtpe_ng: %d calls set up with SRTP on leg%s (%s), ports in %s, keys in %s"
          % (args.calls, " A" if args.srtp == "a" else "s A and B", suite, args.out, args.keys))


def call_id(args, i, hop):
    return "%s-%d-%d" % (args.prefix, i, hop)


def setup(ng, args):
    """Call i crosses --chain calls on rtpengine: hop h's B side is hop h+1's A side. Offers go
    first hop first (each offer's SDP names the previous hop's B-facing port), answers last hop
    first (each answer's SDP names the next hop's A-facing port), so every SDP is exact."""
    out = []
    k = args.chain
    for i in range(args.calls):
        a_port = args.base_port + 2 * i
        b_port = a_port + 1
        b_face = []  # per hop: the port rtpengine opened towards B (where B sends)
        for h in range(k):
            prev = ("127.0.0.1", a_port) if h == 0 else b_face[h - 1]
            offer = dict(flags(), command="offer", **{"call-id": call_id(args, i, h),
                                                       "from-tag": "a%d" % i,
                                                       "sdp": sdp(i, prev[0], prev[1])})
            b_face.append(media_addr(ng.request(offer), "offer " + call_id(args, i, h)))
        a_face = [None] * k  # per hop: the port rtpengine opened towards A (where A sends)
        for h in reversed(range(k)):
            nxt = ("127.0.0.1", b_port) if h == k - 1 else a_face[h + 1]
            answer = dict(flags(), command="answer", **{"call-id": call_id(args, i, h),
                                                         "from-tag": "a%d" % i,
                                                         "to-tag": "b%d" % i,
                                                         "sdp": sdp(i, nxt[0], nxt[1])})
            a_face[h] = media_addr(ng.request(answer), "answer " + call_id(args, i, h))
        out.append("%s %d %s %d\n" % (a_face[0] + b_face[k - 1]))
    with open(args.out, "w") as f:
        f.writelines(out)
    print("rtpe_ng: %d calls x %d hops set up, ports in %s" % (args.calls, k, args.out))


def delete(ng, args):
    failed = 0
    for i in range(args.calls):
        for h in range(args.chain):
            reply = ng.request({"command": "delete", "call-id": call_id(args, i, h),
                                "from-tag": "a%d" % i})
            if reply.get("result") != b"ok":
                failed += 1
    total = args.calls * args.chain
    print("rtpe_ng: %d calls deleted, %d failed" % (total - failed, failed))
    return 1 if failed else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("command", choices=["ping", "setup", "delete"])
    p.add_argument("--ng", required=True, help="rtpengine ng address HOST:PORT")
    p.add_argument("--calls", type=int, default=0)
    p.add_argument("--base-port", type=int, default=2000)
    p.add_argument("--chain", type=int, default=1, help="rtpengine calls each call crosses")
    p.add_argument("--prefix", default="rtpload")
    p.add_argument("--out", help="ports file to write (setup)")
    p.add_argument("--srtp", choices=["a", "ab"], help="SDES SRTP on leg A or both (setup)")
    p.add_argument("--srtp-suite", default="AES_CM_128_HMAC_SHA1_80", choices=sorted(SUITE_KEY_LEN))
    p.add_argument("--srtp-suite-b", choices=sorted(SUITE_KEY_LEN), help="leg B's (--srtp ab)")
    p.add_argument("--keys", help="SRTP keys file to write (setup --srtp)")
    args = p.parse_args()
    ng = Ng(args.ng)
    try:
        if args.command == "ping":
            ok = ng.request({"command": "ping"}).get("result") == b"pong"
            return 0 if ok else 1
        if args.calls < 1 or args.chain < 1:
            p.error("--calls and --chain must be at least 1")
        if args.command == "setup":
            if not args.out:
                p.error("setup needs --out")
            if args.srtp:
                if not args.keys or args.chain != 1:
                    p.error("--srtp needs --keys and a chain of 1")
                setup_srtp(ng, args)
                return 0
            setup(ng, args)
            return 0
        return delete(ng, args)
    except (TimeoutError, RuntimeError, OSError) as e:
        print("rtpe_ng: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
