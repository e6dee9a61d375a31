#pragma once
// The virtio network card (virtio 1.x §5.1) as the stack's net::Device: one receive and one
// transmit queue, 2 KiB buffers, no offloads (so every frame carries full checksums).
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/virtio.h"
#include "net/iface/device.h"

namespace mayfly::kernel {

class VirtioNet final : public net::Device {
 public:
  // Negotiates features, sets up the queues and fills the receive ring. Panics on failure.
  explicit VirtioNet(VirtioTransport& transport);

  size_t receive(std::span<uint8_t> buffer) override;
  bool transmit(std::span<const uint8_t> frame) override;
  size_t mtu() const override { return 1500; }
  net::MacAddress mac_address() const override { return mac_; }

  // For the idle loop: acknowledges the interrupt line and says whether frames wait.
  bool rx_pending();
  uint64_t rx_frames() const { return rx_frames_; }
  uint64_t tx_frames() const { return tx_frames_; }
  uint64_t tx_full() const { return tx_full_; }

 private:
  static constexpr size_t kBufferSize = 2048;
  void reclaim_tx();

  VirtioTransport& t_;
  size_t header_ = 12;  // struct virtio_net_hdr with num_buffers (VERSION_1); 10 for legacy
  net::MacAddress mac_{};
  Virtqueue rx_, tx_;
  uint8_t* rx_buffers_ = nullptr;
  uint8_t* tx_buffers_ = nullptr;
  uint16_t tx_free_[256];
  uint16_t tx_free_count_ = 0;
  uint16_t rx_unnotified_ = 0;
  uint64_t rx_frames_ = 0, tx_frames_ = 0, tx_full_ = 0;
};

}  // namespace mayfly::kernel
