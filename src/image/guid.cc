#include "image/guid.h"

#include "core/xxhash64.h"

namespace mayfly::image {
namespace {

// Textual order of the on-disk bytes: fields 1-3 are stored little-endian.
constexpr int kTextOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Guid::is_zero() const {
  for (uint8_t b : bytes)
    if (b) return false;
  return true;
}

std::string Guid::to_string() const {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    uint8_t b = bytes[kTextOrder[i]];
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

bool Guid::parse(std::string_view text, Guid& out) {
  if (text.size() != 36) return false;
  Guid g;
  size_t pos = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      if (text[pos] != '-') return false;
      ++pos;
    }
    int hi = hex_value(text[pos]), lo = hex_value(text[pos + 1]);
    if (hi < 0 || lo < 0) return false;
    g.bytes[kTextOrder[i]] = uint8_t(hi << 4 | lo);
    pos += 2;
  }
  out = g;
  return true;
}

Guid Guid::derive(uint64_t content_hash, std::string_view label) {
  uint64_t seed = xxhash64(label.data(), label.size(), content_hash);
  uint64_t a = xxhash64(&content_hash, sizeof content_hash, seed);
  uint64_t b = xxhash64(&content_hash, sizeof content_hash, seed ^ 0x9E3779B97F4A7C15ull);
  Guid g;
  for (int i = 0; i < 8; ++i) {
    g.bytes[i] = uint8_t(a >> (8 * i));
    g.bytes[8 + i] = uint8_t(b >> (8 * i));
  }
  // Textual byte 6 (on-disk byte 7) carries the version in its high nibble; byte 8 the variant.
  g.bytes[7] = uint8_t((g.bytes[7] & 0x0F) | 0x80);
  g.bytes[8] = uint8_t((g.bytes[8] & 0x3F) | 0x80);
  return g;
}

}  // namespace mayfly::image
