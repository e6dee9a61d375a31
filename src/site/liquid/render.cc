// Evaluation of expressions and conditions, and rendering of the basic nodes.
#include <algorithm>
#include <array>
#include <span>

#include "site/liquid/context.h"
#include "site/liquid/template.h"

namespace mayfly::site::liquid {

namespace {

Value range_bound(const Value& v) {
  if (v.is_int()) return v;
  if (v.is_float()) return to_int64(v.as_float());
  if (v.is_string()) {
    const std::string& s = v.as_string();
    char* end = nullptr;
    long long x = std::strtoll(s.c_str(), &end, 10);
    return static_cast<std::int64_t>(x);
  }
  if (v.is_nil()) return std::int64_t{0};
  throw RenderError("invalid range bound: " + std::string(v.type_name()));
}

}  // namespace

Value Expr::eval(Context& ctx) const {
  switch (kind) {
    case Kind::Literal:
      return literal;
    case Kind::Range: {
      Value a = range_bound(lo->eval(ctx));
      Value b = range_bound(hi->eval(ctx));
      return Range{a.as_int(), b.as_int()};
    }
    case Kind::Variable:
      break;
  }
  // Walk the path by pointer while values are stored in hashes and arrays; copy only what
  // is computed (drops, size/first/last) and the result.
  Value holder;
  const Value* cur;
  if (root_expr) {
    holder = ctx.get(root_expr->eval(ctx).to_string());
    cur = &holder;
  } else if (!(cur = ctx.find(root))) {
    holder = ctx.get(root);
    cur = &holder;
    if (ctx.strict_variables && holder.is_nil() && !ctx.defined(root)) {
      throw RenderError("undefined variable '" + root + "'");
    }
  }
  Value dynamic_key;
  for (const auto& seg : path) {
    if (cur->is_nil()) return {};
    if (seg.dynamic) dynamic_key = seg.dynamic->eval(ctx);
    const Value& key = seg.dynamic ? dynamic_key : seg.key;
    if (cur->is_hash() && key.is_string()) {
      if (const Value* p = cur->as_hash().find(key.as_string())) {
        cur = p;
        continue;
      }
    } else if (cur->is_array() && key.is_int()) {
      const Array& a = cur->as_array();
      auto i = key.as_int();
      if (i < 0) i += static_cast<std::int64_t>(a.size());
      if (i >= 0 && i < static_cast<std::int64_t>(a.size())) {
        cur = &a[static_cast<std::size_t>(i)];
        continue;
      }
      return {};
    }
    if (ctx.strict_variables && cur->is_hash() && key.is_string()) {
      const std::string& k = key.as_string();
      if (k != "size" && k != "first") throw RenderError("undefined variable '" + k + "'");
    }
    Value next = cur->get(key);
    holder = std::move(next);
    cur = &holder;
  }
  return *cur;
}

Value FilteredExpr::eval(Context& ctx) const {
  Value v = expr.eval(ctx);
  if (filters.empty()) return v;
  // Arguments live in a small inline buffer; only long argument lists allocate.
  std::array<Value, 4> small;
  std::vector<Value> big;
  KwArgs kw;
  for (const auto& f : filters) {
    const FilterDef* def = f.def ? f.def : ctx.env().find_filter(f.name);
    if (!def) {
      // Unknown filters are skipped, as in Jekyll's default (lax) mode.
      if (ctx.strict_filters)
        throw LiquidError(ctx.file, f.loc, "undefined filter '" + f.name + "'");
      continue;
    }
    std::span<const Value> args;
    if (f.args.size() <= small.size()) {
      for (std::size_t i = 0; i < f.args.size(); ++i) small[i] = f.args[i].eval(ctx);
      args = std::span<const Value>(small.data(), f.args.size());
    } else {
      big.clear();
      for (const auto& a : f.args) big.push_back(a.eval(ctx));
      args = big;
    }
    kw.items.clear();
    for (const auto& [k, a] : f.kwargs) kw.items.emplace_back(k, a.eval(ctx));
    if (args.size() < def->min_args || args.size() > def->max_args) {
      throw LiquidError(ctx.file, f.loc,
                        f.name + ": wrong number of arguments (given " +
                            std::to_string(args.size()) + ", expected " +
                            std::to_string(def->min_args) +
                            (def->max_args == def->min_args ? std::string()
                             : def->max_args > 100          ? "+"
                                                   : ".." + std::to_string(def->max_args)) +
                            ")");
    }
    try {
      v = def->fn(v, args, kw, ctx);
    } catch (const RenderError& e) {
      throw LiquidError(ctx.file, f.loc, f.name + ": " + e.what());
    }
  }
  return v;
}

namespace {

bool contains(const Value& left, const Value& right) {
  if (left.is_string()) {
    if (right.is_nil()) return false;
    return left.as_string().find(right.to_string()) != std::string::npos;
  }
  if (!right.truthy()) return false;  // Liquid: `contains nil/false` is always false
  if (left.is_array()) {
    for (const auto& e : left.as_array()) {
      if (equal(e, right)) return true;
    }
    return false;
  }
  if (left.is_range()) {
    if (!right.is_number()) return false;
    double x = right.number();
    return x >= static_cast<double>(left.as_range().first) &&
           x <= static_cast<double>(left.as_range().last);
  }
  if (left.is_hash()) return right.is_string() && left.as_hash().contains(right.as_string());
  return false;
}

bool is_literal_kind(const Value& v) {
  return v.type() == Value::Type::kEmpty || v.type() == Value::Type::kBlank;
}

bool order(const Value& a, const Value& b, Condition::Op op) {
  if (a.is_nil() || b.is_nil() || is_literal_kind(a) || is_literal_kind(b)) return false;
  if (!comparable(a, b)) {
    throw RenderError("comparison of " + std::string(a.type_name()) + " with " +
                      std::string(b.type_name()) + " failed");
  }
  int c = compare(a, b);
  switch (op) {
    case Condition::Op::Lt:
      return c < 0;
    case Condition::Op::Gt:
      return c > 0;
    case Condition::Op::Le:
      return c <= 0;
    case Condition::Op::Ge:
      return c >= 0;
    default:
      return false;
  }
}

}  // namespace

bool Condition::eval(Context& ctx) const {
  bool r;
  Value a = left.eval(ctx);
  switch (op) {
    case Op::None:
      r = a.truthy();
      break;
    case Op::Eq:
      r = equal(a, right.eval(ctx));
      break;
    case Op::Ne:
      r = !equal(a, right.eval(ctx));
      break;
    case Op::Contains:
      r = contains(a, right.eval(ctx));
      break;
    default:
      r = order(a, right.eval(ctx), op);
      break;
  }
  switch (join) {
    case Join::None:
      return r;
    case Join::And:
      return r && next->eval(ctx);
    case Join::Or:
      return r || next->eval(ctx);
  }
  return r;
}

void Block::render(Context& ctx, std::string& out) const {
  for (const auto& n : nodes_) {
    try {
      n->render(ctx, out);
    } catch (const RenderError& e) {
      throw LiquidError(ctx.file, n->loc, e.what());
    }
    if (ctx.interrupt != Context::Interrupt::None) return;
  }
}

bool Block::blank() const {
  return std::all_of(nodes_.begin(), nodes_.end(), [](const auto& n) { return n->blank(); });
}

void Block::remove_blank_text() {
  std::erase_if(nodes_, [](const auto& n) { return dynamic_cast<const TextNode*>(n.get()); });
}

bool TextNode::blank() const {
  return std::all_of(text_.begin(), text_.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

void OutputNode::render(Context& ctx, std::string& out) const {
  Value v = expr_.eval(ctx);
  v.append_to(out);
}

std::string Template::render(Context& ctx) const {
  std::string out;
  render_to(ctx, out);
  return out;
}

void Template::render_to(Context& ctx, std::string& out) const {
  std::string_view saved = ctx.file;
  ctx.file = filename_;
  try {
    body_.render(ctx, out);
  } catch (...) {
    ctx.file = saved;
    throw;
  }
  ctx.file = saved;
}

std::shared_ptr<const Template> Partials::get(std::string_view name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(std::string(name));
    if (it != cache_.end()) return it->second;
  }
  auto src = loader_(name);
  if (!src) return nullptr;
  auto t = Template::parse(src->source, src->filename, *env_);
  std::lock_guard<std::mutex> lock(mu_);
  cache_.emplace(std::string(name), t);
  return t;
}

void Partials::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.clear();
}

}  // namespace mayfly::site::liquid
