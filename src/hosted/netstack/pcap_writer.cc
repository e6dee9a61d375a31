#include "hosted/netstack/pcap_writer.h"

#include <time.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mayfly::hosted::netstack {
namespace {

constexpr uint32_t kMagic = 0xa1b2c3d4;  // microsecond timestamps, written in host order
constexpr uint32_t kSnapLen = 65535;
constexpr uint32_t kLinkTypeEthernet = 1;

void put32(uint8_t* p, uint32_t v) {
  std::memcpy(p, &v, 4);  // pcap is in the writer's byte order; the magic tells readers
}
void put16(uint8_t* p, uint16_t v) {
  std::memcpy(p, &v, 2);
}

}  // namespace

PcapWriter::PcapWriter(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wbe");
  if (!file_) throw std::runtime_error("--pcap " + path + ": " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  uint8_t h[24];
  put32(h, kMagic);
  put16(h + 4, 2);  // version 2.4
  put16(h + 6, 4);
  put32(h + 8, 0);   // thiszone
  put32(h + 12, 0);  // sigfigs
  put32(h + 16, kSnapLen);
  put32(h + 20, kLinkTypeEthernet);
  if (std::fwrite(h, 1, sizeof h, file_) != sizeof h)
    throw std::runtime_error("--pcap " + path + ": write failed");
}

PcapWriter::~PcapWriter() {
  if (file_) std::fclose(file_);
}

void PcapWriter::record(std::span<const uint8_t> frame) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint32_t len = uint32_t(frame.size());
  uint32_t cap = len < kSnapLen ? len : kSnapLen;
  uint8_t h[16];
  put32(h, uint32_t(ts.tv_sec));
  put32(h + 4, uint32_t(ts.tv_nsec / 1000));
  put32(h + 8, cap);
  put32(h + 12, len);
  std::fwrite(h, 1, sizeof h, file_);
  std::fwrite(frame.data(), 1, cap, file_);
  ++frames_;
}

void PcapWriter::flush() {
  std::fflush(file_);
}

}  // namespace mayfly::hosted::netstack
