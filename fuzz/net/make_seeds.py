#!/usr/bin/env python3
"""Writes seed corpora for the net fuzz targets from the captured pcaps in tests/net/capture."""
import os, struct, sys
root = os.path.dirname(os.path.abspath(__file__))
cap = os.path.join(root, '..', '..', 'tests', 'net', 'capture')

def frames(path):
    d = open(path, 'rb').read(); off = 24; out = []
    while off < len(d):
        _, _, incl, _ = struct.unpack('<IIII', d[off:off + 16]); off += 16
        out.append(d[off:off + incl]); off += incl
    return out

fs = [f for p in ('dhcp_arp_tcp.pcap', 'ping_udp.pcap') for f in frames(os.path.join(cap, p))
      if f[12:14] in (b'\x08\x00', b'\x08\x06')]
def put(target, name, data):
    d = os.path.join(root, 'corpus', target); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), 'wb').write(data)
for i, f in enumerate(fs):
    put('fuzz_net_ethernet_arp', 'f%02d' % i, f)
    put('fuzz_net_ethernet_arp', 'a%02d' % i, f[14:])
    if f[12:14] != b'\x08\x00': continue
    ip = f[14:]; ihl = (ip[0] & 15) * 4; l4 = ip[ihl:]; addrs = ip[12:20]
    put('fuzz_net_ipv4', 'f%02d' % i, ip)
    if ip[9] in (1, 17): put('fuzz_net_icmp_udp', 'f%02d' % i, addrs + l4)
    if ip[9] == 6: put('fuzz_net_tcp', 'f%02d' % i, addrs + l4)
    if ip[9] == 17 and len(l4) > 8 and struct.unpack('!H', l4[2:4])[0] in (67, 68):
        put('fuzz_net_dhcp', 'f%02d' % i, l4[8:])
# The interface: mode 3 (static config + DHCP), every frame 1 s apart, and mode 2 (DHCP only).
for mode in (2, 3, (24 << 3) | 3):
    rec = bytes([mode]) + b''.join(bytes([10]) + struct.pack('!H', len(f)) + f for f in fs)
    put('fuzz_net_interface', 'all_mode%d' % mode, rec)
