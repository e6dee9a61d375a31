#include "site/liquid/context.h"

namespace mayfly::site::liquid {

Context::Context(Value globals, const Environment& env)
    : env_(&env), globals_(std::move(globals)), scopes_(1) {}

const Value* Context::find(std::string_view name) const {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    auto f = it->find(name);
    if (f != it->end()) return &f->second;
  }
  if (!counters.empty() && counters.find(name) != counters.end()) return nullptr;
  if (globals_.is_hash()) return globals_.as_hash().find(name);
  return nullptr;
}

Value Context::get(std::string_view name) const {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    auto f = it->find(name);
    if (f != it->end()) return f->second;
  }
  if (!counters.empty()) {
    auto c = counters.find(name);
    if (c != counters.end()) return c->second;
  }
  if (globals_.is_hash()) {
    if (const Value* v = globals_.as_hash().find(name)) return *v;
    return {};
  }
  if (globals_.is_drop()) return globals_.as_drop().get(name);
  return {};
}

bool Context::defined(std::string_view name) const {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    if (it->find(name) != it->end()) return true;
  }
  if (counters.find(name) != counters.end()) return true;
  if (globals_.is_hash()) return globals_.as_hash().contains(name);
  if (globals_.is_drop()) return !globals_.as_drop().get(name).is_nil();
  return false;
}

void Context::assign(std::string name, Value value) {
  scopes_.front().insert_or_assign(std::move(name), std::move(value));
}

void Context::push_scope() {
  scopes_.emplace_back();
}

void Context::pop_scope() {
  if (scopes_.size() > 1) scopes_.pop_back();
}

void Context::set_local(std::string name, Value value) {
  scopes_.back().insert_or_assign(std::move(name), std::move(value));
}

Context Context::isolated() const {
  Context c(Value(), *env_);
  c.partials_ = partials_;
  c.host_ = host_;
  c.depth = depth;
  return c;
}

}  // namespace mayfly::site::liquid
