// The filters and tags a template may use. Environment::standard() holds every standard
// Liquid filter and tag; a host copies it and registers its own (Jekyll's filters and tags).
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "site/liquid/error.h"
#include "site/liquid/value.h"

namespace mayfly::site::liquid {

class Context;
class Block;

// Keyword arguments of a filter call (`default: x, allow_false: true`), in call order.
class KwArgs {
 public:
  std::vector<std::pair<std::string, Value>> items;
  const Value* find(std::string_view key) const {
    for (const auto& [k, v] : items) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  bool empty() const { return items.empty(); }
};

// A filter: `input | name: args..., key: value`. Throw RenderError for bad input; the engine
// adds the location.
using FilterFn = std::function<Value(const Value& input, std::span<const Value> args,
                                     const KwArgs& kwargs, Context& ctx)>;

struct FilterDef {
  FilterFn fn;
  std::size_t min_args = 0;
  std::size_t max_args = std::numeric_limits<std::size_t>::max();
};

// What a custom tag sees when its template is parsed.
struct TagInfo {
  std::string_view name;    // the tag name
  std::string_view markup;  // everything after the name, trimmed
  std::string_view filename;
  Location loc;
  const class Environment* env;
  // A LiquidError located at the tag, for bad markup.
  LiquidError error(std::string_view message) const { return LiquidError(filename, loc, message); }
};

// The parsed body of a custom block tag.
class TagBody {
 public:
  TagBody(const Block* block, std::string_view source) : block_(block), source_(source) {}
  void render(Context& ctx, std::string& out) const;
  std::string render(Context& ctx) const;
  // The body's source text as written (between the tag and its end tag).
  std::string_view source() const { return source_; }

 private:
  const Block* block_;
  std::string_view source_;
};

// Renders one occurrence of a custom tag; `body` is nullptr for simple (non-block) tags.
using TagRenderer = std::function<void(Context& ctx, std::string& out, const TagBody* body)>;
// Called once at parse time for each occurrence; may pre-parse the markup (throw
// info.error(...) when it is bad) and returns the renderer.
using TagFactory = std::function<TagRenderer(const TagInfo& info)>;

struct TagDef {
  TagFactory factory;
  bool block = false;
  bool raw_body = false;  // body kept as text, not parsed as Liquid
};

// How the parser treats bad markup (Liquid's error_mode, Jekyll's liquid.error_mode):
// kStrict: a LiquidError; kWarn: the bad tag or output renders nothing, the error goes to the
// warning handler, and parsing goes on; kLax: the same without the warning. A block tag that
// is never closed is an error in every mode.
enum class ErrorMode { kStrict, kWarn, kLax };

class Environment {
 public:
  // An environment with no filters or tags beyond the built-in tags.
  Environment() = default;
  // The shared environment with every standard filter.
  static const Environment& standard();

  void register_filter(std::string name, FilterFn fn, std::size_t min_args = 0,
                       std::size_t max_args = std::numeric_limits<std::size_t>::max());
  // `{% name markup %}`.
  void register_tag(std::string name, TagFactory factory);
  // `{% name markup %}body{% endname %}`; with raw_body the body is not parsed as Liquid
  // and TagBody::render is empty (use TagBody::source()).
  void register_block(std::string name, TagFactory factory, bool raw_body = false);

  const FilterDef* find_filter(std::string_view name) const;
  const TagDef* find_tag(std::string_view name) const;

  void set_error_mode(ErrorMode mode) { error_mode_ = mode; }
  ErrorMode error_mode() const { return error_mode_; }
  // Receives the errors kWarn tolerates; may be called from several parsing threads at once.
  using WarningHandler = std::function<void(const LiquidError&)>;
  void set_warning_handler(WarningHandler handler) { warning_handler_ = std::move(handler); }
  void warn(const LiquidError& e) const {
    if (error_mode_ == ErrorMode::kWarn && warning_handler_) warning_handler_(e);
  }

 private:
  std::unordered_map<std::string, FilterDef, StringHash, StringEq> filters_;
  std::unordered_map<std::string, TagDef, StringHash, StringEq> tags_;
  ErrorMode error_mode_ = ErrorMode::kStrict;
  WarningHandler warning_handler_;
};

// Registration of the standard filters (one function per source file).
void register_string_filters(Environment& env);
void register_array_filters(Environment& env);
void register_math_filters(Environment& env);
void register_date_filters(Environment& env);

}  // namespace mayfly::site::liquid
