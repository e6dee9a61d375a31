#include "net/packetdrill/script_link.h"

#include <cstring>

#include "net/wire/arp.h"
#include "net/wire/ethernet.h"
#include "net/wire/ipv4.h"

namespace mayfly::net::packetdrill {

// Locally administered (RFC 7042 §2.1): the stack's port and the one peer it sees.
const MacAddress ScriptLink::kStackMac(0x02, 0x70, 0x64, 0, 0, 0x01);
const MacAddress ScriptLink::kPeerMac(0x02, 0x70, 0x64, 0, 0, 0x02);

bool ScriptLink::inject(std::span<const uint8_t> datagram) {
  if (datagram.empty() || (datagram[0] >> 4) != 4 || datagram.size() > mtu_) return false;
  std::vector<uint8_t> frame(EthernetFrame::kHeaderSize + datagram.size());
  EthernetRepr{kStackMac, kPeerMac, EtherType::kIpv4}.emit(frame);
  std::memcpy(frame.data() + EthernetFrame::kHeaderSize, datagram.data(), datagram.size());
  input_.push_back(std::move(frame));
  return true;
}

ScriptLink::Sent ScriptLink::take_sent() {
  Sent s = std::move(sent_.front());
  sent_.pop_front();
  return s;
}

size_t ScriptLink::receive(std::span<uint8_t> buffer) {
  while (!input_.empty()) {
    std::vector<uint8_t> frame = std::move(input_.front());
    input_.pop_front();
    if (frame.size() > buffer.size()) continue;  // dropped whole, never truncated
    std::memcpy(buffer.data(), frame.data(), frame.size());
    return frame.size();
  }
  return 0;
}

bool ScriptLink::transmit(std::span<const uint8_t> frame) {
  auto eth = EthernetFrame::parse(frame);
  if (!eth) return true;
  if (eth->ethertype() == uint16_t(EtherType::kArp)) {
    answer_arp(eth->payload());
    return true;
  }
  if (eth->ethertype() != uint16_t(EtherType::kIpv4)) return true;
  auto ip = Ipv4Packet::parse(eth->payload());
  if (!ip) return true;
  // The frame was padded to 60 bytes (IEEE 802.3): the script sees the datagram only.
  std::span<const uint8_t> datagram = eth->payload().first(ip->total_len());
  sent_.push_back(Sent{std::vector<uint8_t>(datagram.begin(), datagram.end()), now_usecs_});
  return true;
}

// RFC 826: a request for any address but the stack's own is answered with the peer's
// MAC; gratuitous announcements (sender = target) and replies need no answer.
void ScriptLink::answer_arp(std::span<const uint8_t> arp) {
  auto request = ArpRepr::parse(arp);
  if (!request || request->operation != ArpOperation::kRequest ||
      request->target_ip == request->sender_ip)
    return;
  ArpRepr reply;
  reply.operation = ArpOperation::kReply;
  reply.sender_mac = kPeerMac;
  reply.sender_ip = request->target_ip;
  reply.target_mac = request->sender_mac;
  reply.target_ip = request->sender_ip;
  std::vector<uint8_t> frame(EthernetFrame::kMinFrameSize, 0);
  EthernetRepr{request->sender_mac, kPeerMac, EtherType::kArp}.emit(frame);
  reply.emit(std::span(frame).subspan(EthernetFrame::kHeaderSize));
  input_.push_back(std::move(frame));
}

}  // namespace mayfly::net::packetdrill
