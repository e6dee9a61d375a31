#pragma once
// Connection lookup by 4-tuple (our address is the interface's one, so the key is the
// local port and the remote endpoint): a chained hash table threaded through the pool.
// There are as many buckets as pool slots, and both the bucket heads and the chain links
// live in the TcpConnection slots themselves, so the table needs no storage of its own and
// nothing is allocated after start. The hash is keyed with a secret from the caller's
// Random, so a peer cannot pick ports that pile into one chain (the idea of RFC 6528's
// keyed hash, applied to lookup). Freestanding.
#include <cstdint>
#include <span>

#include "net/wire/address.h"

namespace mayfly::net {

class TcpConnection;

class TcpConnTable {
 public:
  // Empties every bucket. Call before any insert; the pool must outlive the table.
  void reset(std::span<TcpConnection> pool, uint64_t secret);
  // Adds `c` under its (local_port, remote). It must not be in the table already.
  void insert(TcpConnection& c);
  // Takes `c` out of the table; a no-op if it is not in it.
  void remove(TcpConnection& c);
  TcpConnection* find(Port local, Ipv4Endpoint remote) const;

 private:
  uint32_t bucket(Port local, Ipv4Endpoint remote) const;

  std::span<TcpConnection> pool_;
  uint64_t secret_ = 0;
};

}  // namespace mayfly::net
