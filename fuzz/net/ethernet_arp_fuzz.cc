// Ethernet and ARP parsers on arbitrary bytes; a parsed ARP packet must re-emit to the
// same 28 bytes.
#include <cstdlib>
#include <cstring>

#include "net/wire/arp.h"
#include "net/wire/ethernet.h"

using namespace mayfly::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  if (auto eth = EthernetFrame::parse(in)) {
    volatile auto t = eth->ethertype();
    (void)t;
    uint8_t hdr[14];
    EthernetRepr{eth->destination(), eth->source(), EtherType(eth->ethertype())}.emit(hdr);
    if (std::memcmp(hdr, data, 14) != 0) std::abort();
  }
  if (auto arp = ArpRepr::parse(in)) {
    uint8_t out[ArpRepr::kSize];
    if (!arp->emit(out) || std::memcmp(out, data, ArpRepr::kSize) != 0) std::abort();
  }
  return 0;
}
