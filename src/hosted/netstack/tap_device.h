#pragma once
// A Linux TAP device as the stack's net::Device: /dev/net/tun with IFF_TAP | IFF_NO_PI |
// IFF_VNET_HDR, non-blocking. Every frame carries a 10-byte virtio-net header: ours say
// "nothing to do" except on transmit_tso() (GSO TCPv4 with checksum offload, so Linux takes
// one 64 KiB write as 45 segments); Linux's are all zero because offloads towards us are
// off (TUNSETOFFLOAD 0): complete checksums, no GSO frames, which the stack verifies.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "net/iface/device.h"
#include "net/wire/address.h"

namespace mayfly::hosted::netstack {

class TapDevice : public net::Device {
 public:
  // Attaches to (or creates) the TAP interface `name`. Throws std::runtime_error with a
  // message for people (no /dev/net/tun, permission denied, busy, not a TAP).
  TapDevice(const std::string& name, net::MacAddress mac);
  ~TapDevice() override;
  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;

  size_t receive(std::span<uint8_t> buffer) override;
  bool transmit(std::span<const uint8_t> frame) override;
  // The TAP interface's MTU as Linux has it (SIOCGIFMTU), read at open.
  size_t mtu() const override { return mtu_; }
  net::MacAddress mac_address() const override { return mac_; }
  size_t tso_max_datagram() const override { return 65535; }
  bool transmit_tso(std::span<const uint8_t> frame, uint16_t mss) override;

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  uint64_t tx_refused() const { return tx_refused_; }

 private:
  int fd_ = -1;
  std::string name_;
  net::MacAddress mac_;
  size_t mtu_ = 1500;
  uint64_t tx_refused_ = 0;
};

}  // namespace mayfly::hosted::netstack
