#!/bin/bash
# Run as root. Records DHCP (dnsmasq → busybox udhcpc), ARP and TCP SYN/RST between two
# network namespaces joined by a veth pair, with checksum offload off so the frames carry
# real checksums. Output: $OUT/dhcp_arp_tcp.pcap (default /tmp/cap).
mkdir -p ${OUT:-/tmp/cap}
set -x
ip netns del mfsrv 2>/dev/null; ip netns del mfcli 2>/dev/null
ip netns add mfsrv; ip netns add mfcli
ip link add mfv0 type veth peer name mfv1
ip link set mfv0 netns mfsrv; ip link set mfv1 netns mfcli
ip netns exec mfsrv ip addr add 10.77.0.1/24 dev mfv0
ip netns exec mfsrv ip link set mfv0 up; ip netns exec mfsrv ip link set lo up
ip netns exec mfcli ip link set mfv1 address 02:00:00:00:00:02
ip netns exec mfcli ip link set mfv1 up
ip netns exec mfcli ethtool -K mfv1 tx off >/dev/null; ip netns exec mfsrv ethtool -K mfv0 tx off >/dev/null; ip netns exec mfcli ip link set lo up
ip netns exec mfsrv tcpdump -i mfv0 -w ${OUT:-/tmp/cap}/dhcp_arp_tcp.pcap -U -s 0 >${OUT:-/tmp/cap}/tcpdump.log 2>&1 &
TD=$!
ip netns exec mfsrv dnsmasq --no-daemon --conf-file=/dev/null --interface=mfv0 --bind-interfaces --port=0 \
  --dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,120 --dhcp-option=3,10.77.0.1 --dhcp-option=6,10.77.0.1 \
  --dhcp-leasefile=${OUT:-/tmp/cap}/leases >${OUT:-/tmp/cap}/dnsmasq.log 2>&1 &
DM=$!
sleep 2
printf '#!/bin/sh\nexit 0\n' > ${OUT:-/tmp/cap}/script.sh; chmod +x ${OUT:-/tmp/cap}/script.sh
ip netns exec mfcli busybox udhcpc -i mfv1 -n -q -f -s ${OUT:-/tmp/cap}/script.sh -t 3 -T 2 > ${OUT:-/tmp/cap}/udhcpc.log 2>&1
ip netns exec mfcli ip addr add 10.77.0.60/24 dev mfv1
ip netns exec mfcli ping -c 1 -s 24 -p 6d6179666c79 10.77.0.1
ip netns exec mfcli sh -c 'echo hello | busybox nc -u -w 1 10.77.0.1 9999' 
ip netns exec mfcli sh -c 'busybox nc -w 1 10.77.0.1 80 </dev/null' 
ip netns exec mfcli python3 -c "
import socket; s=socket.socket(); s.settimeout(1)
try: s.connect(('10.77.0.1',81))
except Exception as e: print(e)"
sleep 1
kill $DM; kill $TD; sleep 1
ip netns del mfsrv; ip netns del mfcli
