#include "net/wire/dhcp.h"

#include <cstring>

namespace mayfly::net {
namespace {

std::optional<Ipv4Address> address_option(const uint8_t* v, size_t len, size_t want_multiple) {
  // RFC 2132 §3.3 etc.: address options carry 4 octets, lists a multiple of 4 (at least 4).
  if (len < 4 || len % want_multiple != 0) return std::nullopt;
  return Ipv4Address::from_bytes(v);
}

}  // namespace

std::optional<DhcpRepr> DhcpRepr::parse(std::span<const uint8_t> m) {
  namespace o = dhcp_option;
  if (m.size() < kOptionsOffset) return std::nullopt;
  if (m[0] != 1 && m[0] != 2) return std::nullopt;
  if (m[1] != 1 || m[2] != 6) return std::nullopt;  // htype Ethernet, hlen 6
  if (load_be32(m.data() + kFixedSize) != kMagicCookie) return std::nullopt;
  DhcpRepr r;
  r.op = Op(m[0]);
  r.xid = load_be32(m.data() + 4);
  r.secs = load_be16(m.data() + 8);
  r.broadcast = (m[10] & 0x80) != 0;
  r.ciaddr = Ipv4Address::from_bytes(m.data() + 12);
  r.yiaddr = Ipv4Address::from_bytes(m.data() + 16);
  r.siaddr = Ipv4Address::from_bytes(m.data() + 20);
  r.giaddr = Ipv4Address::from_bytes(m.data() + 24);
  r.chaddr = MacAddress::from_bytes(m.data() + 28);

  size_t i = kOptionsOffset;
  while (i < m.size()) {
    uint8_t code = m[i];
    if (code == o::kPad) {  // RFC 2132 §3.1: fixed length 1
      ++i;
      continue;
    }
    if (code == o::kEnd) break;  // RFC 2132 §3.2
    if (i + 1 >= m.size()) return std::nullopt;
    size_t len = m[i + 1];
    if (i + 2 + len > m.size()) return std::nullopt;
    const uint8_t* v = m.data() + i + 2;
    std::optional<Ipv4Address> a;
    switch (code) {
      case o::kMessageType:
        if (len != 1 || v[0] < 1 || v[0] > 8) return std::nullopt;
        r.message_type = DhcpMessageType(v[0]);
        break;
      case o::kSubnetMask:
        if (len != 4) return std::nullopt;
        r.subnet_mask = Ipv4Address::from_bytes(v);
        break;
      case o::kRouter:
        if (!(a = address_option(v, len, 4))) return std::nullopt;
        r.router = a;
        break;
      case o::kDnsServer:
        if (!address_option(v, len, 4)) return std::nullopt;
        // A repeated option replaces the earlier list entirely (no stale entries).
        r.dns_servers = {};
        r.dns_count = 0;
        for (size_t k = 0; k < len / 4 && k < kMaxDnsServers; ++k)
          r.dns_servers[r.dns_count++] = Ipv4Address::from_bytes(v + 4 * k);
        break;
      case o::kRequestedIp:
        if (len != 4) return std::nullopt;
        r.requested_ip = Ipv4Address::from_bytes(v);
        break;
      case o::kServerId:
        if (len != 4) return std::nullopt;
        r.server_id = Ipv4Address::from_bytes(v);
        break;
      case o::kLeaseTime:
      case o::kRenewalTime:
      case o::kRebindingTime:
        if (len != 4) return std::nullopt;
        (code == o::kLeaseTime     ? r.lease_time
         : code == o::kRenewalTime ? r.renewal_time
                                   : r.rebinding_time) = load_be32(v);
        break;
      case o::kMaxMessageSize:
        // RFC 2132 §9.10: length 2, minimum value 576.
        if (len != 2) return std::nullopt;
        r.max_message_size = load_be16(v);
        break;
      case o::kParameterRequestList:
        r.parameter_request_list = m.subspan(i + 2, len);
        break;
      case o::kClientId:
        // RFC 2132 §9.14: minimum length 2 (type and at least one octet).
        if (len < 2) return std::nullopt;
        r.client_id = m.subspan(i + 2, len);
        break;
      default:
        break;  // RFC 2131 §4.1: options not understood are ignored
    }
    i += 2 + len;
  }
  return r;
}

size_t DhcpRepr::size() const {
  size_t n = kOptionsOffset;
  if (message_type) n += 3;
  if (requested_ip) n += 6;
  if (server_id) n += 6;
  if (lease_time) n += 6;
  if (renewal_time) n += 6;
  if (rebinding_time) n += 6;
  if (subnet_mask) n += 6;
  if (router) n += 6;
  if (dns_count) n += 2 + 4 * size_t(dns_count);
  if (max_message_size) n += 4;
  if (!parameter_request_list.empty()) n += 2 + parameter_request_list.size();
  if (!client_id.empty()) n += 2 + client_id.size();
  n += 1;  // End
  return n < kMinSize ? kMinSize : n;
}

std::optional<size_t> DhcpRepr::emit(std::span<uint8_t> out) const {
  namespace o = dhcp_option;
  size_t n = size();
  if (out.size() < n || parameter_request_list.size() > 255 || client_id.size() > 255 ||
      dns_count > kMaxDnsServers)
    return std::nullopt;
  uint8_t* p = out.data();
  std::memset(p, 0, n);
  p[0] = uint8_t(op);
  p[1] = 1;  // htype: Ethernet (RFC 1700)
  p[2] = 6;  // hlen
  p[3] = 0;  // hops: 0 from clients
  store_be32(p + 4, xid);
  store_be16(p + 8, secs);
  store_be16(p + 10, broadcast ? 0x8000 : 0);
  ciaddr.write(p + 12);
  yiaddr.write(p + 16);
  siaddr.write(p + 20);
  giaddr.write(p + 24);
  chaddr.write(p + 28);  // chaddr is 16 octets; the rest stays zero, as do sname and file
  store_be32(p + kFixedSize, kMagicCookie);
  size_t i = kOptionsOffset;
  auto put = [&](uint8_t code, size_t len) {
    p[i] = code;
    p[i + 1] = uint8_t(len);
    i += 2 + len;
    return p + i - len;
  };
  // RFC 2131 §4.1: the message type is conventionally first.
  if (message_type) *put(o::kMessageType, 1) = uint8_t(*message_type);
  if (client_id.size())
    std::memcpy(put(o::kClientId, client_id.size()), client_id.data(), client_id.size());
  if (requested_ip) requested_ip->write(put(o::kRequestedIp, 4));
  if (server_id) server_id->write(put(o::kServerId, 4));
  if (lease_time) store_be32(put(o::kLeaseTime, 4), *lease_time);
  if (renewal_time) store_be32(put(o::kRenewalTime, 4), *renewal_time);
  if (rebinding_time) store_be32(put(o::kRebindingTime, 4), *rebinding_time);
  if (subnet_mask) subnet_mask->write(put(o::kSubnetMask, 4));
  if (router) router->write(put(o::kRouter, 4));
  if (dns_count) {
    uint8_t* v = put(o::kDnsServer, 4 * size_t(dns_count));
    for (size_t k = 0; k < dns_count; ++k) dns_servers[k].write(v + 4 * k);
  }
  if (max_message_size) store_be16(put(o::kMaxMessageSize, 2), *max_message_size);
  if (parameter_request_list.size())
    std::memcpy(put(o::kParameterRequestList, parameter_request_list.size()),
                parameter_request_list.data(), parameter_request_list.size());
  p[i] = o::kEnd;
  return n;
}

}  // namespace mayfly::net
