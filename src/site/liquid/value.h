// Liquid values: nil, bool, integer, float, string, array, hash, range, drop and the
// empty/blank literals. Arrays, hashes and long strings live behind shared pointers and are
// immutable once built, so copying a Value (e.g. a post into a for loop variable) is cheap.
#pragma once

#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace mayfly::site::liquid {

class Value;
class Hash;

// Transparent hashing so maps keyed by std::string accept std::string_view lookups.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct StringEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
class Drop;

using Array = std::vector<Value>;

// A lazily evaluated object exposed by the host (e.g. Jekyll's page.content).
class Drop {
 public:
  virtual ~Drop() = default;
  // The value of `key`, or nil when it has none.
  virtual Value get(std::string_view key) const = 0;
  // What `{{ drop }}` prints; empty by default.
  virtual std::string to_string() const { return {}; }
};

struct Range {
  std::int64_t first = 0;
  std::int64_t last = -1;
  std::int64_t size() const {
    if (last < first) return 0;
    std::int64_t d = 0;
    if (__builtin_sub_overflow(last, first, &d) || d == INT64_MAX) return INT64_MAX;
    return d + 1;
  }
  friend bool operator==(const Range&, const Range&) = default;
};

struct EmptyLiteral {};
struct BlankLiteral {};

class Value {
 public:
  enum class Type : std::uint8_t {
    kNil,
    kBool,
    kInt,
    kFloat,
    kString,
    kArray,
    kHash,
    kRange,
    kDrop,
    kEmpty,
    kBlank
  };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<std::int64_t>(i)) {}
  Value(long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(long long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(unsigned i) : v_(static_cast<std::int64_t>(i)) {}
  Value(unsigned long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(unsigned long long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : Value(std::string(s)) {}
  Value(std::string_view s) : Value(std::string(s)) {}
  Value(std::string s) : v_(std::make_shared<const std::string>(std::move(s))) {}
  Value(std::shared_ptr<const std::string> s) : v_(std::move(s)) {}
  Value(Array a) : v_(std::make_shared<const Array>(std::move(a))) {}
  Value(std::shared_ptr<const Array> a) : v_(std::move(a)) {}
  Value(Hash h);
  Value(std::shared_ptr<const Hash> h) : v_(std::move(h)) {}
  Value(Range r) : v_(r) {}
  Value(std::shared_ptr<const Drop> d) : v_(std::move(d)) {}
  Value(EmptyLiteral e) : v_(e) {}
  Value(BlankLiteral b) : v_(b) {}

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_nil() const { return type() == Type::kNil; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_float() const { return type() == Type::kFloat; }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_hash() const { return type() == Type::kHash; }
  bool is_range() const { return type() == Type::kRange; }
  bool is_drop() const { return type() == Type::kDrop; }
  // Arrays and ranges: things a for loop iterates over element by element.
  bool is_sequence() const { return is_array() || is_range(); }

  bool as_bool() const { return std::get<bool>(v_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  double as_float() const { return std::get<double>(v_); }
  const std::string& as_string() const { return *std::get<StrPtr>(v_); }
  const Array& as_array() const { return *std::get<ArrPtr>(v_); }
  const std::shared_ptr<const Array>& array_ptr() const { return std::get<ArrPtr>(v_); }
  const Hash& as_hash() const { return *std::get<HashPtr>(v_); }
  const std::shared_ptr<const Hash>& hash_ptr() const { return std::get<HashPtr>(v_); }
  const Range& as_range() const { return std::get<Range>(v_); }
  const Drop& as_drop() const { return *std::get<DropPtr>(v_); }

  // Liquid truthiness: only nil and false are falsy.
  bool truthy() const { return !(is_nil() || (is_bool() && !as_bool())); }
  // A number as double (0 when not a number).
  double number() const {
    return is_int() ? static_cast<double>(as_int()) : is_float() ? as_float() : 0.0;
  }

  // What `{{ value }}` prints.
  std::string to_string() const;
  void append_to(std::string& out) const;
  // Array elements (ranges expanded); a non-sequence yields {*this} or {} for nil.
  Array to_array() const;

  // `value.key` / `value[key]` with Liquid's special properties (size, first, last).
  Value get(const Value& key) const;
  Value get(std::string_view key) const;
  Value get(const char* key) const { return get(std::string_view(key)); }

  std::string_view type_name() const;

 private:
  using StrPtr = std::shared_ptr<const std::string>;
  using ArrPtr = std::shared_ptr<const Array>;
  using HashPtr = std::shared_ptr<const Hash>;
  using DropPtr = std::shared_ptr<const Drop>;
  std::variant<std::monostate, bool, std::int64_t, double, StrPtr, ArrPtr, HashPtr, Range, DropPtr,
               EmptyLiteral, BlankLiteral>
      v_;
};

// Sees which hash values a render reads, for `serve --watch` to know what a page depends on
// (site/jekyll/read_tracker.h). Every way to a hash's values goes through find(), begin(),
// entries() or a copy, so each reports here when an observer is set on the thread.
class HashReadObserver {
 public:
  virtual ~HashReadObserver() = default;
  virtual void on_find(const Hash& h, std::string_view key) = 0;
  // Any value of h may be read (iteration, a copy).
  virtual void on_read_all(const Hash& h) = 0;
};

// The observer of the current thread; null (no cost but a load) outside tracked renders.
extern constinit thread_local HashReadObserver* hash_read_observer;

// An insertion-ordered map with string keys and hashed lookup.
class Hash {
 public:
  using Entry = std::pair<std::string, Value>;
  Hash() = default;
  Hash(std::initializer_list<Entry> init) {
    for (auto& e : init) set(e.first, e.second);
  }
  Hash(const Hash& other) : entries_(other.read_all()), index_(other.index_) {}
  Hash& operator=(const Hash& other) {
    if (this != &other) {
      entries_ = other.read_all();
      index_ = other.index_;
    }
    return *this;
  }
  Hash(Hash&&) = default;
  Hash& operator=(Hash&&) = default;

  // Inserts or replaces.
  void set(std::string key, Value value);
  const Value* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return read_all().begin(); }
  auto end() const { return entries_.end(); }
  const std::vector<Entry>& entries() const { return read_all(); }

 private:
  const std::vector<Entry>& read_all() const {
    if (hash_read_observer) hash_read_observer->on_read_all(*this);
    return entries_;
  }
  static constexpr std::size_t kIndexThreshold = 8;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::size_t, StringHash, StringEq> index_;
};

inline Value::Value(Hash h) : v_(std::make_shared<const Hash>(std::move(h))) {}

// Equality as Liquid's `==` (numbers across int/float, empty/blank literals).
bool equal(const Value& a, const Value& b);
// Ordering for `<`, `>`, sort: returns <0, 0, >0; throws LiquidError-free RenderError when the
// two values cannot be compared.
int compare(const Value& a, const Value& b);
bool comparable(const Value& a, const Value& b);
// Liquid's `empty` / `blank` tests.
bool is_empty(const Value& v);
bool is_blank(const Value& v);

// A double truncated to int64, saturating (NaN is 0) instead of undefined behaviour.
inline std::int64_t to_int64(double d) {
  if (!(d == d)) return 0;
  if (d >= 9.2233720368547758e18) return INT64_MAX;
  if (d <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<std::int64_t>(d);
}

// Ruby's #inspect of a value: strings quoted, arrays and hashes written out ({"a"=>1}).
std::string inspect(const Value& v);

// Ruby-style float formatting (1.0, 0.1, 1.0e+20).
std::string format_float(double d);

}  // namespace mayfly::site::liquid
