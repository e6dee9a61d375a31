#pragma once
// A Linux TAP device as the stack's net::Device: /dev/net/tun with IFF_TAP | IFF_NO_PI
// (plain Ethernet frames, no packet-info prefix), non-blocking. No IFF_VNET_HDR: without
// it Linux hands over frames with complete checksums, which the stack verifies.
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
