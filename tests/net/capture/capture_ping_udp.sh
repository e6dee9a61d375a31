#!/bin/bash
# Run as root. Records a ping of Linux and a UDP datagram to a closed port (with the ICMP
# answer) between two namespaces. Output: $OUT/ping_udp.pcap (default /tmp/cap).
mkdir -p ${OUT:-/tmp/cap}
ip netns add mfsrv; ip netns add mfcli
ip link add mfv0 type veth peer name mfv1
ip link set mfv0 netns mfsrv; ip link set mfv1 netns mfcli
ip netns exec mfsrv ip link set mfv0 address 02:00:00:00:00:01
ip netns exec mfsrv ip addr add 10.77.0.1/24 dev mfv0
ip netns exec mfsrv ip link set mfv0 up
ip netns exec mfcli ip link set mfv1 address 02:00:00:00:00:02
ip netns exec mfcli ip addr add 10.77.0.60/24 dev mfv1
ip netns exec mfcli ip link set mfv1 up
ip netns exec mfcli ethtool -K mfv1 tx off >/dev/null; ip netns exec mfsrv ethtool -K mfv0 tx off >/dev/null
ip netns exec mfcli sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec mfsrv sysctl -qw net.ipv6.conf.all.disable_ipv6=1
sleep 1
ip netns exec mfsrv tcpdump -i mfv0 -w ${OUT:-/tmp/cap}/ping_udp.pcap -U -s 0 ip >/dev/null 2>&1 &
TD=$!
sleep 1
ip netns exec mfcli python3 -c "
import socket,struct
s=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_ICMP); s.settimeout(1)
data=b'mayfly ping data!!'
def cs(b):
  if len(b)%2: b+=b'\0'
  x=sum(struct.unpack('!%dH'%(len(b)//2),b)); x=(x>>16)+(x&0xffff); x+=x>>16; return ~x&0xffff
h=struct.pack('!BBHHH',8,0,0,0x1234,1); c=cs(h+data); h=struct.pack('!BBHHH',8,0,c,0x1234,1)
s.sendto(h+data,('10.77.0.1',0)); print(s.recv(200).hex())
u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.bind(('10.77.0.60',40000)); u.sendto(b'hello udp\n',('10.77.0.1',9999))
"
sleep 1; kill $TD; sleep 1
ip netns del mfsrv; ip netns del mfcli
