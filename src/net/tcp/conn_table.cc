#include "net/tcp/conn_table.h"

#include "core/xxhash64.h"
#include "net/tcp/tcp.h"

namespace mayfly::net {

void TcpConnTable::reset(std::span<TcpConnection> pool, uint64_t secret) {
  pool_ = pool;
  secret_ = secret;
  for (TcpConnection& c : pool_) {
    c.bucket_head = TcpConnection::kNoSlot;
    c.hash_next = TcpConnection::kNoSlot;
    c.hashed = false;
  }
}

uint32_t TcpConnTable::bucket(Port local, Ipv4Endpoint remote) const {
  uint8_t key[8];
  store_be32(key, remote.address.value());
  store_be16(key + 4, remote.port.value());
  store_be16(key + 6, local.value());
  uint64_t h = xxhash64(key, sizeof key, secret_);
  // Lemire's multiply-shift maps the 32-bit hash onto [0, pool size) without a division.
  return uint32_t((uint64_t(uint32_t(h)) * pool_.size()) >> 32);
}

void TcpConnTable::insert(TcpConnection& c) {
  if (pool_.empty() || c.hashed) return;
  TcpConnection& head = pool_[bucket(c.local_port, c.remote)];
  c.hash_next = head.bucket_head;
  head.bucket_head = int32_t(&c - pool_.data());
  c.hashed = true;
}

void TcpConnTable::remove(TcpConnection& c) {
  if (!c.hashed) return;
  int32_t self = int32_t(&c - pool_.data());
  int32_t* link = &pool_[bucket(c.local_port, c.remote)].bucket_head;
  while (*link != TcpConnection::kNoSlot) {
    if (*link == self) {
      *link = c.hash_next;
      break;
    }
    link = &pool_[size_t(*link)].hash_next;
  }
  c.hash_next = TcpConnection::kNoSlot;
  c.hashed = false;
}

TcpConnection* TcpConnTable::find(Port local, Ipv4Endpoint remote) const {
  if (pool_.empty()) return nullptr;
  for (int32_t i = pool_[bucket(local, remote)].bucket_head; i != TcpConnection::kNoSlot;) {
    TcpConnection& c = pool_[size_t(i)];
    if (c.local_port == local && c.remote == remote) return &c;
    i = c.hash_next;
  }
  return nullptr;
}

}  // namespace mayfly::net
