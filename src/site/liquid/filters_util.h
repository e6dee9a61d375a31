// Internal helpers shared by the standard filters.
#pragma once

#include <span>
#include <string>

#include "site/liquid/context.h"
#include "site/liquid/environment.h"
#include "site/liquid/error.h"
#include "site/liquid/value.h"

namespace mayfly::site::liquid::detail {

// The argument at `i`, or nil.
inline const Value& arg(std::span<const Value> args, std::size_t i) {
  static const Value nil;
  return i < args.size() ? args[i] : nil;
}

// A value as the string filters see it (nil is "").
std::string str(const Value& v);

// Liquid's Utils.to_number: ints stay ints, floats and decimal strings become floats,
// other strings their leading integer, everything else 0.
Value to_number(const Value& v);
// Ruby's Integer(x) as filters use it: ints, floats truncated, integer strings; else throws.
std::int64_t to_integer(const Value& v, std::string_view what);

// Liquid's InputIterator: arrays flattened, hashes and scalars as one element, nil empty.
Array flatten_input(const Value& v);

// item[property] for hashes and drops; nil for others.
Value property(const Value& item, const Value& key);

}  // namespace mayfly::site::liquid::detail
