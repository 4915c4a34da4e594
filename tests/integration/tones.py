#!/usr/bin/env python3
"""Tones for recording tests.

tones.py pcap FILE HZ SECONDS: writes FILE, a pcap SIPp can play (play_pcap_audio): RTP of a
  HZ sine in G.711 A-law (payload type 8), 20 ms packets, SECONDS long.
tones.py wav FILE: what a recorded WAV holds, one key=value a line: channels, rate, bits,
  duration_ms, and per channel (left, right) its strongest frequency of 300..3400 Hz in 10 Hz
  steps over half a second from where it gets loud (left_hz, right_hz), how far above the
  rest that peak stands (left_ratio, right_ratio) and how long it is loud (left_loud_ms,
  right_loud_ms).
"""
import math
import struct
import sys
import wave


def alaw(sample):
    """Linear 16-bit to A-law (ITU-T G.711)."""
    sign = 0x80 if sample >= 0 else 0
    if sample < 0:
        sample = -sample - 1
    sample = min(sample, 32767) >> 3
    if sample < 32:
        enc = sample >> 1
    else:
        seg = sample.bit_length() - 5
        enc = (seg << 4) | ((sample >> seg) & 0x0F)
    return (enc | sign) ^ 0x55


def write_pcap(path, hz, seconds):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    n = int(seconds * 50)
    for k in range(n):
        payload = bytes(alaw(int(10000 * math.sin(2 * math.pi * hz * (k * 160 + i) / 8000)))
                        for i in range(160))
        rtp = struct.pack("!BBHII", 0x80, 8 | (0x80 if k == 0 else 0), k, k * 160, 0x1234) + payload
        udp = struct.pack("!HHHH", 6000, 6002, 8 + len(rtp), 0) + rtp
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), k, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])) + udp
        eth = b"\x00" * 12 + b"\x08\x00" + ip
        usec = k * 20000
        out.append(struct.pack("<IIII", 1000 + usec // 1000000, usec % 1000000, len(eth),
                               len(eth)) + eth)
    with open(path, "wb") as f:
        f.write(b"".join(out))


def power(samples, hz, rate):
    k = 2 * math.cos(2 * math.pi * hz / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2


def check_wav(path):
    with wave.open(path, "rb") as w:
        ch, rate, width, frames = w.getnchannels(), w.getframerate(), w.getsampwidth(), w.getnframes()
        data = w.readframes(frames)
    res = {"channels": ch, "rate": rate, "bits": width * 8, "duration_ms": frames * 1000 // rate}
    if width == 2:
        samples = struct.unpack("<%dh" % (len(data) // 2), data)
        for c, name in enumerate(["left", "right"][:ch]):
            chan = samples[c::ch]
            loud = [i for i, s in enumerate(chan) if abs(s) > 500]
            res[name + "_loud_ms"] = len(loud) * 1000 // rate
            # Half a second from where the channel gets loud (a tone may start late).
            start = loud[0] if loud else 0
            chunk = chan[start:start + rate // 2]
            powers = {hz: power(chunk, hz, rate) for hz in range(300, 3401, 10)}
            best = max(powers, key=powers.get)
            rest = [p for hz, p in powers.items() if abs(hz - best) > 50]
            res[name + "_hz"] = best
            res[name + "_ratio"] = int(powers[best] / (sum(rest) / len(rest) + 1e-9))
    for k, v in res.items():
        print(f"{k}={v}")


if __name__ == "__main__":
    if sys.argv[1] == "pcap":
        write_pcap(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    else:
        check_wav(sys.argv[2])
