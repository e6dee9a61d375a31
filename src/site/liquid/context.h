// The state of one render: variables, counters, loop state, the host's partials and data.
#pragma once

#include <any>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "site/liquid/environment.h"
#include "site/liquid/value.h"

namespace mayfly::site::liquid {

class Partials;

class Context {
 public:
  // `globals` is the data the template sees (site, page, ...): a hash, or nil.
  explicit Context(Value globals = {}, const Environment& env = Environment::standard());

  // Variable lookup: local scopes innermost first, then the globals. Nil when undefined.
  Value get(std::string_view name) const;
  // Like get(), without copying: the variable's stored value, or nullptr when it is not stored
  // as a Value (undefined, a counter, or a drop's computed property). Valid until the next
  // assignment.
  const Value* find(std::string_view name) const;
  // Sets a variable as `assign` does (visible for the rest of the render).
  void assign(std::string name, Value value);
  // Local scopes (for loops, includes).
  void push_scope();
  void pop_scope();
  void set_local(std::string name, Value value);

  const Environment& env() const { return *env_; }
  void set_partials(Partials* partials) { partials_ = partials; }
  Partials* partials() const { return partials_; }

  // Anything the host wants its filters and tags to reach (e.g. the Site being built).
  std::any& host() { return host_; }

  // Jekyll's liquid.strict_variables / strict_filters: undefined variables and filters are
  // errors instead of rendering nothing / being skipped.
  bool strict_variables = false;
  bool strict_filters = false;
  bool defined(std::string_view name) const;

  // Built-in tag state.
  enum class Interrupt { None, Break, Continue };
  Interrupt interrupt = Interrupt::None;
  std::unordered_map<std::string, std::int64_t, StringHash, StringEq>
      counters;                                               // increment/decrement
  std::unordered_map<std::string, std::size_t> cycles;        // cycle position per group
  std::unordered_map<std::string, std::int64_t> for_offsets;  // offset:continue
  std::string ifchanged_last;
  std::vector<Value> forloops;  // enclosing forloop objects, for parentloop
  std::string_view file;        // template being rendered (for error locations)
  int depth = 0;                // include nesting

  // A context for `{% render %}`: same environment, partials and host, nothing else.
  Context isolated() const;

 private:
  using Scope = std::unordered_map<std::string, Value, StringHash, StringEq>;
  const Environment* env_;
  Value globals_;
  std::vector<Scope> scopes_;  // scopes_[0] is where assign writes
  Partials* partials_ = nullptr;
  std::any host_;
};

}  // namespace mayfly::site::liquid
