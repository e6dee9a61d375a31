#include "kernel/virtio_net.h"

#include <cstring>

#include "kernel/console.h"
#include "kernel/memory.h"
#include "kernel/panic.h"

namespace mayfly::kernel {
namespace {

constexpr uint64_t kNetFeatureMac = 1ull << 5;  // VIRTIO_NET_F_MAC
constexpr uint16_t kAvailNoInterrupt = 1;       // VIRTQ_AVAIL_F_NO_INTERRUPT

uint16_t pick_size(VirtioTransport& t, uint16_t q) {
  uint16_t max = t.queue_max(q);
  if (max == 0) panic("virtio-net: queue %u is not available", q);
  if (t.queue_size_fixed()) {
    if (max & (max - 1)) panic("virtio-net: legacy queue size %u is not a power of two", max);
    if (max > 256) panic("virtio-net: legacy queue size %u is over 256", max);
    return max;
  }
  uint16_t size = 128;
  while (size > max) size /= 2;
  return size;
}

}  // namespace

VirtioNet::VirtioNet(VirtioTransport& transport) : t_(transport) {
  using namespace virtio_status;
  t_.reset();
  t_.set_status(kAcknowledge);
  t_.set_status(kAcknowledge | kDriver);
  uint64_t offered = t_.device_features();
  uint64_t wanted = offered & kNetFeatureMac;
  if (!t_.legacy()) {
    if (!(offered & kFeatureVersion1)) panic("virtio-net: the device does not offer VERSION_1");
    wanted |= kFeatureVersion1;
  } else {
    header_ = 10;  // no VERSION_1, no MRG_RXBUF: the legacy header has no num_buffers
  }
  t_.set_driver_features(wanted);
  if (!t_.legacy()) {
    t_.set_status(kAcknowledge | kDriver | kFeaturesOk);
    if (!(t_.status() & kFeaturesOk)) {
      t_.set_status(kFailed);
      panic("virtio-net: the device refused our features");
    }
  }
  if (wanted & kNetFeatureMac) {
    uint8_t m[6];
    for (int i = 0; i < 6; ++i) m[i] = t_.config8(uint32_t(i));
    mac_ = net::MacAddress(m[0], m[1], m[2], m[3], m[4], m[5]);
  } else {
    mac_ = net::MacAddress(0x02, 0x6d, 0x66, 0x00, 0x00, 0x01);  // locally administered
  }

  rx_.allocate(0, pick_size(t_, 0));
  tx_.allocate(1, pick_size(t_, 1));
  rx_buffers_ = static_cast<uint8_t*>(alloc_pages(rx_.size * kBufferSize / 4096));
  tx_buffers_ = static_cast<uint8_t*>(alloc_pages(tx_.size * kBufferSize / 4096));
  for (uint16_t i = 0; i < rx_.size; ++i) {
    rx_.desc[i] = VirtqDesc{reinterpret_cast<uint64_t>(rx_buffers_ + i * kBufferSize),
                            uint32_t(kBufferSize), kDescWrite, 0};
    rx_.publish(i);
  }
  for (uint16_t i = 0; i < tx_.size; ++i) {
    tx_.desc[i] = VirtqDesc{reinterpret_cast<uint64_t>(tx_buffers_ + i * kBufferSize), 0, 0, 0};
    tx_free_[tx_free_count_++] = i;
  }
  tx_.avail[0] = kAvailNoInterrupt;  // completed transmissions are reclaimed lazily
  t_.setup_queue(rx_, 0);
  t_.setup_queue(tx_, kNoVector);
  t_.set_status(kAcknowledge | kDriver | kFeaturesOk | kDriverOk);
  if (t_.status() & kFailed) panic("virtio-net: the device failed after DRIVER_OK");
  t_.notify(0);
  KLOG(kInfo, "virtio-net: %s, mac %02x:%02x:%02x:%02x:%02x:%02x, queues %u/%u\n", t_.name(),
       mac_.bytes()[0], mac_.bytes()[1], mac_.bytes()[2], mac_.bytes()[3], mac_.bytes()[4],
       mac_.bytes()[5], rx_.size, tx_.size);
}

bool VirtioNet::rx_pending() {
  t_.ack_interrupt();
  return rx_.has_used();
}

size_t VirtioNet::receive(std::span<uint8_t> buffer) {
  for (;;) {
    if (!rx_.has_used()) {
      if (rx_unnotified_ && rx_.needs_notify()) t_.notify(0);
      rx_unnotified_ = 0;
      return 0;
    }
    VirtqUsedElem e = rx_.take_used();
    uint16_t id = uint16_t(e.id);
    size_t n = 0;
    if (id < rx_.size && e.len > header_ && e.len <= kBufferSize) {
      size_t frame = e.len - header_;
      if (frame <= buffer.size()) {
        memcpy(buffer.data(), rx_buffers_ + size_t(id) * kBufferSize + header_, frame);
        n = frame;
      }
    }
    if (id < rx_.size) {
      rx_.publish(id);
      // Tell the device about returned buffers in batches (each notify is a VM exit).
      if (++rx_unnotified_ >= rx_.size / 4) {
        if (rx_.needs_notify()) t_.notify(0);
        rx_unnotified_ = 0;
      }
    }
    if (n) {
      ++rx_frames_;
      return n;
    }
  }
}

void VirtioNet::reclaim_tx() {
  while (tx_.has_used()) {
    VirtqUsedElem e = tx_.take_used();
    if (e.id < tx_.size && tx_free_count_ < tx_.size) tx_free_[tx_free_count_++] = uint16_t(e.id);
  }
}

bool VirtioNet::transmit(std::span<const uint8_t> frame) {
  reclaim_tx();
  if (tx_free_count_ == 0 || frame.size() + header_ > kBufferSize) {
    ++tx_full_;
    return false;
  }
  uint16_t id = tx_free_[--tx_free_count_];
  uint8_t* b = tx_buffers_ + size_t(id) * kBufferSize;
  memset(b, 0, header_);  // no checksum offload, no segmentation
  memcpy(b + header_, frame.data(), frame.size());
  tx_.desc[id].len = uint32_t(header_ + frame.size());
  tx_.desc[id].flags = 0;
  tx_.publish(id);
  if (tx_.needs_notify()) t_.notify(1);
  ++tx_frames_;
  return true;
}

}  // namespace mayfly::kernel
