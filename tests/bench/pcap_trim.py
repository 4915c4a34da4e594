#!/usr/bin/env python3
"""pcap_trim.py IN OUT SECONDS: copy the packets of a classic pcap file whose timestamp lies
within SECONDS of the first packet. The call benchmark plays a fixed length of G.711 per call
(SIPp's play_pcap_audio plays a whole file); the trimmed copy is written at run time so no
binary capture lives in the repository. Prints the number of packets kept."""
import struct
import sys

MAGICS = {  # magic as read little-endian -> (struct byte order, fraction units per second)
    0xA1B2C3D4: ("<", 1_000_000),
    0xD4C3B2A1: (">", 1_000_000),
    0xA1B23C4D: ("<", 1_000_000_000),
    0x4D3CB2A1: (">", 1_000_000_000),
}


def trim(src, dst, seconds):
    with open(src, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: too short for a pcap header" % src)
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in MAGICS:
        raise ValueError("%s: not a classic pcap file (magic %08x)" % (src, magic))
    order, units = MAGICS[magic]
    rec = struct.Struct(order + "IIII")
    out = [data[:24]]
    off, kept, first = 24, 0, None
    while off + rec.size <= len(data):
        sec, frac, caplen, _ = rec.unpack_from(data, off)
        end = off + rec.size + caplen
        if end > len(data):
            break  # a truncated last record is dropped
        ts = sec + frac / units
        if first is None:
            first = ts
        if ts - first >= seconds:
            break
        out.append(data[off:end])
        kept += 1
        off = end
    with open(dst, "wb") as f:
        f.write(b"".join(out))
    return kept


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    try:
        print(trim(sys.argv[1], sys.argv[2], float(sys.argv[3])))
    except (OSError, ValueError) as e:
        sys.exit("pcap_trim: %s" % e)


if __name__ == "__main__":
    main()
