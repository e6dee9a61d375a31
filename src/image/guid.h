#pragma once
// GUIDs as GPT stores them: the first three fields little-endian, the rest as bytes
// (UEFI 2.10 appendix A). Deterministic images derive theirs from a content hash.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mayfly::image {

struct Guid {
  std::array<uint8_t, 16> bytes{};  // on-disk order

  bool operator==(const Guid&) const = default;
  bool is_zero() const;
  // "c12a7328-f81f-11d2-ba4b-00a0c93ec93b" (lower case, the textual field order).
  std::string to_string() const;
  // Parses the textual form; returns false on anything else.
  static bool parse(std::string_view text, Guid& out);
  // A GUID named by (hash, label): RFC 9562 version 8 (custom), variant 10. The same
  // content hash and label always give the same GUID; different labels give different ones.
  static Guid derive(uint64_t content_hash, std::string_view label);
};

// Partition type of an EFI System Partition.
inline constexpr std::string_view kEspTypeGuid = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";

}  // namespace mayfly::image
