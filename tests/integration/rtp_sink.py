#!/usr/bin/env python3
"""Receives the RTP a phone would, for a while, and says what it heard.

rtp_sink.py PORT SECONDS OUT: listens on 127.0.0.1:PORT for SECONDS (or until 2 s pass without a
packet once some came; OUT.ready exists once it listens), then writes OUT with one key=value per
line:
  packets, pt (the first packet's), first_ms (arrival of the first packet after the start),
  span_ms (first to last arrival), seq_gaps (packets whose sequence number is not the last + 1),
  ts_bad (timestamp steps other than the samples of the packet before), marker_first (0/1),
  tone_hz (the strongest of 300..3400 Hz in 10 Hz steps over the decoded G.711 audio),
  tone_ratio (its power over the mean of the others), audio_ms (decoded audio length); packets
  of payload type 101 are RFC 4733 telephone-events, not audio: events (the digits, one per
  event, "none" without) and event_packets.
"""
import math
import socket
import sys
import time


def ulaw(b):
    b = ~b & 0xFF
    sign, exp, mant = b & 0x80, (b >> 4) & 7, b & 0x0F
    v = ((mant << 3) + 0x84) << exp
    v -= 0x84
    return -v if sign else v


def ulaw_enc(sample):
    """Linear 16-bit to mu-law (ITU-T G.711)."""
    sign = 0x80 if sample < 0 else 0
    sample = min(abs(sample), 32635) + 0x84
    exp = sample.bit_length() - 8
    mant = (sample >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF


def alaw(b):
    b ^= 0x55
    sign, exp, mant = b & 0x80, (b >> 4) & 7, b & 0x0F
    v = (mant << 4) + 8 if exp == 0 else ((mant << 4) + 0x108) << (exp - 1)
    return v if sign else -v


def power(samples, hz, rate=8000):
    """Goertzel: the power of one frequency in samples."""
    k = 2 * math.cos(2 * math.pi * hz / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2


def main():
    port, seconds, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    # --send FILE HZ: once FILE names "IP PORT", the sink sends 2 s of a HZ tone (PCMU) there
    # from its own port, as a phone talks from where it listens.
    send_file = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--send" else None
    send_hz = float(sys.argv[6]) if send_file else 0
    send_to, sent, next_send = None, 0, 0.0
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    sock.settimeout(0.01 if send_file else 0.2)
    open(out + ".ready", "w").close()  # bound: the call may start
    start = time.monotonic()
    pkts = []
    while time.monotonic() - start < seconds:
        now = time.monotonic()
        if send_file and send_to is None:
            try:
                ip, p = open(send_file).read().split()
                send_to, next_send = (ip, int(p)), now
            except (OSError, ValueError):
                pass
        while send_to and sent < 100 and now >= next_send:
            payload = bytes(ulaw_enc(int(8000 * math.sin(2 * math.pi * send_hz * (sent * 160 + i) / 8000)))
                            for i in range(160))
            sock.sendto(bytes([0x80, 0x80 if sent == 0 else 0]) + sent.to_bytes(2, "big") +
                        (sent * 160).to_bytes(4, "big") + b"\x00\x00\x43\x21" + payload, send_to)
            sent += 1
            next_send += 0.02
        try:
            data = sock.recv(2048)
        except socket.timeout:
            if pkts and time.monotonic() - pkts[-1][0] > 2 and (not send_file or sent >= 100):
                break
            continue
        if len(data) < 12 or data[0] >> 6 != 2:
            continue
        pkts.append((time.monotonic(), data))
    # RFC 4733 telephone-events (payload type 101): one digit per event (its timestamp).
    events, seen = "", set()
    for _, d in pkts:
        if d[1] & 0x7F == 101 and len(d) >= 16:
            ts = int.from_bytes(d[4:8], "big")
            if ts not in seen:
                seen.add(ts)
                events += "0123456789*#ABCD"[d[12]] if d[12] < 16 else "?"
    event_packets = sum(1 for _, d in pkts if d[1] & 0x7F == 101)
    pkts = [p for p in pkts if p[1][1] & 0x7F != 101]
    res = {"packets": len(pkts), "events": events or "none", "event_packets": event_packets}
    if pkts:
        first = pkts[0][1]
        pt = first[1] & 0x7F
        res["pt"] = pt
        res["first_ms"] = int((pkts[0][0] - start) * 1000)
        res["span_ms"] = int((pkts[-1][0] - pkts[0][0]) * 1000)
        res["marker_first"] = first[1] >> 7
        gaps = ts_bad = 0
        samples = []
        prev = None
        for _, d in pkts:
            if d[1] & 0x7F != pt:
                continue
            seq = int.from_bytes(d[2:4], "big")
            ts = int.from_bytes(d[4:8], "big")
            cc = d[0] & 0x0F
            payload = d[12 + 4 * cc:]
            if prev:
                if seq != (prev[0] + 1) & 0xFFFF:
                    gaps += 1
                if ts != (prev[1] + prev[2]) & 0xFFFFFFFF:
                    ts_bad += 1
            prev = (seq, ts, len(payload))
            dec = ulaw if pt == 0 else alaw
            samples.extend(dec(b) for b in payload)
        res["seq_gaps"] = gaps
        res["ts_bad"] = ts_bad
        res["audio_ms"] = len(samples) // 8
        # Only the loud part: a prompt may be followed by silence.
        start = next((i for i, s in enumerate(samples) if abs(s) > 200), 0)
        chunk = samples[start:start + 4000]
        powers = {hz: power(chunk, hz) for hz in range(300, 3401, 10)}
        best = max(powers, key=powers.get)
        rest = [p for hz, p in powers.items() if abs(hz - best) > 50]
        res["tone_hz"] = best
        res["tone_ratio"] = int(powers[best] / (sum(rest) / len(rest) + 1e-9))
    with open(out, "w") as f:
        for k, v in res.items():
            f.write(f"{k}={v}\n")


if __name__ == "__main__":
    main()
