#!/usr/bin/env python3
"""Two RTP endpoints for the fast-path test in network namespaces: A and B on their own
addresses exchange RTP through a relay session and check that every packet arrives unchanged
from the relay's far port.

  fastpath_peer.py RELAY_IP PORT_A PORT_B A_IP:PORT B_IP:PORT COUNT   -> prints "relayed N"
  fastpath_peer.py RELAY_IP PORT_A PORT_B A_IP:PORT B_IP:PORT stranger STRANGER_IP:PORT
      -> one packet from the stranger to each relay port; prints "leaked N" (what A or B got)
"""
import socket
import struct
import sys


def sock(hostport):
    ip, port = hostport.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, int(port)))
    return s


def rtp(seq, ssrc):
    return struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160, ssrc) + bytes(
        (seq + i) & 0xFF for i in range(160))


def got(s, want, src, timeout=1.0):
    s.settimeout(timeout)
    try:
        data, addr = s.recvfrom(2048)
    except socket.timeout:
        return False
    return data == want and addr == src


def main():
    relay, pa, pb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    a, b = sock(sys.argv[4]), sock(sys.argv[5])
    if sys.argv[6] == "stranger":
        x = sock(sys.argv[7])
        pkt = rtp(7, 0x5EED)
        x.sendto(pkt, (relay, pa))
        x.sendto(pkt, (relay, pb))
        leaked = 0
        for s in (a, b):
            s.settimeout(0.3)
            try:
                s.recvfrom(2048)
                leaked += 1
            except socket.timeout:
                pass
        print("leaked", leaked)
        return
    ok = 0
    for i in range(int(sys.argv[6])):
        pkt = rtp(i, 0xA)
        a.sendto(pkt, (relay, pa))
        ok += got(b, pkt, (relay, pb))
        pkt = rtp(i, 0xB)
        b.sendto(pkt, (relay, pb))
        ok += got(a, pkt, (relay, pa))
    print("relayed", ok)


if __name__ == "__main__":
    main()
