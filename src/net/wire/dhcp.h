#pragma once
// DHCP messages (RFC 2131 on the BOOTP format of RFC 951, options of RFC 2132): parse
// and emit. Option overload (RFC 2132 §9.3) and long options (RFC 3396) are not handled.
// Freestanding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/wire/address.h"

namespace mayfly::net {

// RFC 2132 §9.6.
enum class DhcpMessageType : uint8_t {
  kDiscover = 1,
  kOffer = 2,
  kRequest = 3,
  kDecline = 4,
  kAck = 5,
  kNak = 6,
  kRelease = 7,
  kInform = 8,
};

// RFC 2132 option codes we read or write.
namespace dhcp_option {
inline constexpr uint8_t kPad = 0;
inline constexpr uint8_t kSubnetMask = 1;
inline constexpr uint8_t kRouter = 3;
inline constexpr uint8_t kDnsServer = 6;
inline constexpr uint8_t kRequestedIp = 50;
inline constexpr uint8_t kLeaseTime = 51;
inline constexpr uint8_t kMessageType = 53;
inline constexpr uint8_t kServerId = 54;
inline constexpr uint8_t kParameterRequestList = 55;
inline constexpr uint8_t kMaxMessageSize = 57;
inline constexpr uint8_t kRenewalTime = 58;
inline constexpr uint8_t kRebindingTime = 59;
inline constexpr uint8_t kClientId = 61;
inline constexpr uint8_t kEnd = 255;
}  // namespace dhcp_option

struct DhcpRepr {
  // RFC 2131 §2: 236 fixed octets, then the 4-octet magic cookie.
  static constexpr size_t kFixedSize = 236;
  static constexpr size_t kOptionsOffset = 240;
  // RFC 1542 §2.1: relay agents may drop BOOTP messages shorter than 300 octets.
  static constexpr size_t kMinSize = 300;
  static constexpr uint32_t kMagicCookie = 0x63825363;  // RFC 2131 §3: 99.130.83.99
  static constexpr size_t kMaxDnsServers = 3;
  static constexpr Port kServerPort{67};
  static constexpr Port kClientPort{68};

  enum class Op : uint8_t { kRequest = 1, kReply = 2 };  // BOOTREQUEST, BOOTREPLY

  Op op = Op::kRequest;
  uint32_t xid = 0;
  uint16_t secs = 0;
  bool broadcast = false;  // RFC 2131 §2 flags: the leftmost bit
  Ipv4Address ciaddr;
  Ipv4Address yiaddr;
  Ipv4Address siaddr;
  Ipv4Address giaddr;
  MacAddress chaddr;

  std::optional<DhcpMessageType> message_type;
  std::optional<Ipv4Address> requested_ip;
  std::optional<Ipv4Address> server_id;
  std::optional<uint32_t> lease_time;      // seconds; 0xffffffff = infinite
  std::optional<uint32_t> renewal_time;    // T1, seconds
  std::optional<uint32_t> rebinding_time;  // T2, seconds
  std::optional<Ipv4Address> subnet_mask;
  std::optional<Ipv4Address> router;  // the first router listed (RFC 2132 §3.5: preference order)
  std::array<Ipv4Address, kMaxDnsServers> dns_servers{};
  uint8_t dns_count = 0;
  std::optional<uint16_t> max_message_size;
  std::span<const uint8_t> parameter_request_list;  // points into the parsed/emitted source
  std::span<const uint8_t> client_id;

  // Accepts only htype 1 / hlen 6 (Ethernet) and the magic cookie. Options up to End (or
  // the end of the buffer); a known option with an impossible length, or an option
  // running past the buffer, rejects the message.
  static std::optional<DhcpRepr> parse(std::span<const uint8_t> message);
  size_t size() const;
  // Returns bytes written, or nullopt if the buffer is too small. Zero-fills sname, file
  // and the padding up to 300 octets.
  std::optional<size_t> emit(std::span<uint8_t> out) const;
};

}  // namespace mayfly::net
