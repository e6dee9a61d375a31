#pragma once
// Classic pcap files (the libpcap format tcpdump, tshark and Wireshark read: a 24-byte
// global header, then a 16-byte record header per frame; microsecond timestamps,
// LINKTYPE_ETHERNET) and a Device decorator that records every frame in both directions.
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "net/iface/device.h"

namespace mayfly::hosted::netstack {

class PcapWriter {
 public:
  // Creates (truncates) `path` and writes the global header. Throws std::runtime_error.
  explicit PcapWriter(const std::string& path);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // One frame with the current wall-clock time.
  void record(std::span<const uint8_t> frame);
  void flush();
  uint64_t frames() const { return frames_; }

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  uint64_t frames_ = 0;
};

class PcapDevice : public net::Device {
 public:
  PcapDevice(net::Device& inner, PcapWriter& writer) : inner_(inner), writer_(writer) {}
  size_t receive(std::span<uint8_t> buffer) override {
    size_t n = inner_.receive(buffer);
    if (n > 0) writer_.record(buffer.first(n));
    return n;
  }
  bool transmit(std::span<const uint8_t> frame) override {
    bool ok = inner_.transmit(frame);
    if (ok) writer_.record(frame);
    return ok;
  }
  size_t mtu() const override { return inner_.mtu(); }
  net::MacAddress mac_address() const override { return inner_.mac_address(); }
  // Offloaded segments are recorded as the stack sent them (one large frame), as tcpdump
  // shows GSO frames on a sending host.
  size_t tso_max_datagram() const override { return inner_.tso_max_datagram(); }
  bool transmit_tso(std::span<const uint8_t> frame, uint16_t mss) override {
    bool ok = inner_.transmit_tso(frame, mss);
    if (ok) writer_.record(frame);
    return ok;
  }

 private:
  net::Device& inner_;
  PcapWriter& writer_;
};

}  // namespace mayfly::hosted::netstack
