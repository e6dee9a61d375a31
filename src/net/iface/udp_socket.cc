#include "net/iface/udp_socket.h"

#include <cstring>

#include "net/iface/interface.h"

namespace mayfly::net {

UdpSocket::UdpSocket(std::span<uint8_t> storage, size_t slot_size)
    : storage_(storage),
      slot_size_(slot_size),
      slots_(slot_size == 0 ? 0 : storage.size() / slot_size) {
  if (slots_ > kMaxSlots) slots_ = kMaxSlots;
}

UdpSocket::~UdpSocket() {
  if (iface_) iface_->udp_unbind(*this);
}

std::optional<UdpMetadata> UdpSocket::recv_from(std::span<uint8_t> out) {
  if (count_ == 0) return std::nullopt;
  UdpMetadata m = meta_[head_].meta;
  size_t n = m.size < out.size() ? m.size : out.size();
  if (n) std::memcpy(out.data(), storage_.data() + head_ * slot_size_, n);
  m.truncated = n < m.size;
  head_ = (head_ + 1) % slots_;
  --count_;
  return m;
}

NetError UdpSocket::send_to(std::span<const uint8_t> payload, Ipv4Endpoint remote) {
  if (!iface_) return NetError::kNotBound;
  return iface_->send_udp(port_, remote, payload);
}

void UdpSocket::deliver(const UdpMetadata& meta, std::span<const uint8_t> payload) {
  if (count_ >= slots_ || payload.size() > slot_size_) {
    ++dropped_;
    return;
  }
  size_t tail = (head_ + count_) % slots_;
  if (!payload.empty())
    std::memcpy(storage_.data() + tail * slot_size_, payload.data(), payload.size());
  meta_[tail].meta = meta;
  ++count_;
}

}  // namespace mayfly::net
