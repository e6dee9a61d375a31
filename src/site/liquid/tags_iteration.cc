// for / tablerow / cycle / break / continue.
#include <algorithm>
#include <charconv>
#include <optional>

#include "site/liquid/context.h"
#include "site/liquid/parser.h"

namespace mayfly::site::liquid {

namespace {

// forloop and tablerowloop: one object per loop, updated in place on each iteration.
class LoopDrop : public Drop {
 public:
  std::string name;
  std::int64_t length = 0;
  std::int64_t index0 = 0;
  std::int64_t cols = 0;  // tablerow only
  bool tablerow = false;
  Value parent;

  Value get(std::string_view key) const override {
    if (key == "length") return length;
    if (key == "index") return index0 + 1;
    if (key == "index0") return index0;
    if (key == "rindex") return length - index0;
    if (key == "rindex0") return length - index0 - 1;
    if (key == "first") return index0 == 0;
    if (key == "last") return index0 == length - 1;
    if (key == "name") return name;
    if (key == "parentloop") return parent;
    if (tablerow) {
      std::int64_t c = cols > 0 ? cols : length;
      std::int64_t col0 = c > 0 ? index0 % c : 0;
      if (key == "col") return col0 + 1;
      if (key == "col0") return col0;
      if (key == "col_first") return col0 == 0;
      if (key == "col_last") return col0 == c - 1 || index0 == length - 1;
      if (key == "row") return c > 0 ? index0 / c + 1 : 1;
    }
    return {};
  }
};

std::int64_t to_integer(const Value& v, std::string_view what) {
  if (v.is_int()) return v.as_int();
  if (v.is_float()) return to_int64(v.as_float());
  if (v.is_string()) {
    const std::string& s = v.as_string();
    std::int64_t x = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), x);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return x;
  }
  throw RenderError(std::string(what) + ": invalid integer");
}

struct LoopParams {
  std::string var;
  Expr collection;
  std::string collection_markup;
  std::string key;  // "var-collection": names the loop for offset:continue
  bool reversed = false;
  std::optional<Expr> limit, offset, cols;
  bool offset_continue = false;
};

LoopParams parse_loop(Parser& p, const RawToken& tok, bool tablerow) {
  LoopParams lp;
  TokenStream ts(p, tok.text, tok.at);
  lp.var = std::string(ts.expect(Tok::Ident, "a loop variable").text);
  if (!ts.accept_ident("in")) ts.fail(ts.peek(), "expected 'in' in for loop");
  const char* start = ts.peek().at;
  lp.collection = p.parse_primary(ts);
  lp.collection_markup = std::string(start, static_cast<std::size_t>(ts.peek().at - start));
  while (!lp.collection_markup.empty() && lp.collection_markup.back() == ' ') {
    lp.collection_markup.pop_back();
  }
  lp.key = lp.var + "-" + lp.collection_markup;
  for (;;) {
    ts.accept(Tok::Comma);
    if (ts.done()) break;
    if (!tablerow && ts.accept_ident("reversed")) {
      lp.reversed = true;
      continue;
    }
    Token name = ts.expect(Tok::Ident, "a loop parameter");
    if (p.env().error_mode() != ErrorMode::kStrict && ts.peek().kind != Tok::Colon) {
      // Ruby Liquid's lax parser reads only "reversed" and "name: value"; a stray word such
      // as "reverse" is ignored (warn mode reports it).
      p.env().warn(LiquidError(p.filename(), p.location(name.at),
                               "unknown loop option '" + std::string(name.text) + "' (ignored)"));
      continue;
    }
    ts.expect(Tok::Colon, "':'");
    if (name.text == "limit") {
      lp.limit = p.parse_primary(ts);
    } else if (name.text == "offset") {
      if (!tablerow && ts.accept_ident("continue")) {
        lp.offset_continue = true;
      } else {
        lp.offset = p.parse_primary(ts);
      }
    } else if (name.text == "cols" && tablerow) {
      lp.cols = p.parse_primary(ts);
    } else {
      ts.fail(name, "unknown loop parameter '" + std::string(name.text) + "'");
    }
  }
  return lp;
}

// The items a loop visits, after offset and limit.
std::vector<Value> loop_items(const LoopParams& lp, Context& ctx, std::int64_t& next_offset) {
  Value coll = lp.collection.eval(ctx);
  std::int64_t from = 0;
  if (lp.offset_continue) {
    auto it = ctx.for_offsets.find(lp.key);
    if (it != ctx.for_offsets.end()) from = it->second;
  } else if (lp.offset) {
    Value o = lp.offset->eval(ctx);
    if (!o.is_nil()) from = to_integer(o, "offset");
  }
  std::optional<std::int64_t> limit;
  if (lp.limit) {
    Value l = lp.limit->eval(ctx);
    if (!l.is_nil()) limit = to_integer(l, "limit");
  }
  if (from < 0) from = 0;
  std::vector<Value> items;
  auto want = [&](std::int64_t n) {
    std::int64_t end = n;
    if (limit && *limit < n - from) end = from + std::max<std::int64_t>(*limit, 0);
    return end;
  };
  if (coll.is_range()) {
    const Range& r = coll.as_range();
    std::int64_t end = want(r.size());
    for (std::int64_t i = from; i < end; ++i) items.emplace_back(r.first + i);
  } else if (coll.is_array()) {
    const Array& a = coll.as_array();
    std::int64_t end = want(static_cast<std::int64_t>(a.size()));
    for (std::int64_t i = from; i < end; ++i) items.push_back(a[static_cast<std::size_t>(i)]);
  } else if (coll.is_hash()) {
    const Hash& h = coll.as_hash();
    std::int64_t end = want(static_cast<std::int64_t>(h.size()));
    for (std::int64_t i = from; i < end; ++i) {
      const auto& e = h.entries()[static_cast<std::size_t>(i)];
      items.emplace_back(Array{Value(e.first), e.second});
    }
  } else if (coll.is_string() && !coll.as_string().empty()) {
    if (from == 0 && want(1) > 0) items.push_back(coll);
  }
  next_offset = from + static_cast<std::int64_t>(items.size());
  if (lp.reversed) std::reverse(items.begin(), items.end());
  return items;
}

class ForNode : public Node {
 public:
  LoopParams lp;
  Block body;
  Block else_body;

  void render(Context& ctx, std::string& out) const override {
    std::int64_t next_offset = 0;
    std::vector<Value> items = loop_items(lp, ctx, next_offset);
    ctx.for_offsets[lp.key] = next_offset;
    if (items.empty()) {
      else_body.render(ctx, out);
      return;
    }
    auto loop = std::make_shared<LoopDrop>();
    loop->name = lp.key;
    loop->length = static_cast<std::int64_t>(items.size());
    if (!ctx.forloops.empty()) loop->parent = ctx.forloops.back();
    Value loop_value{std::shared_ptr<const Drop>(loop)};
    ctx.forloops.push_back(loop_value);
    ctx.push_scope();
    ctx.set_local("forloop", loop_value);
    for (std::size_t i = 0; i < items.size(); ++i) {
      loop->index0 = static_cast<std::int64_t>(i);
      ctx.set_local(lp.var, items[i]);
      body.render(ctx, out);
      if (ctx.interrupt == Context::Interrupt::Break) {
        ctx.interrupt = Context::Interrupt::None;
        break;
      }
      ctx.interrupt = Context::Interrupt::None;
    }
    ctx.pop_scope();
    ctx.forloops.pop_back();
  }
  bool blank() const override { return body.blank() && else_body.blank(); }
};

class TablerowNode : public Node {
 public:
  LoopParams lp;
  Block body;

  void render(Context& ctx, std::string& out) const override {
    std::int64_t next_offset = 0;
    std::vector<Value> items = loop_items(lp, ctx, next_offset);
    std::int64_t cols = 0;
    if (lp.cols) {
      Value c = lp.cols->eval(ctx);
      if (!c.is_nil()) cols = to_integer(c, "cols");
    }
    auto loop = std::make_shared<LoopDrop>();
    loop->tablerow = true;
    loop->cols = cols;
    loop->length = static_cast<std::int64_t>(items.size());
    Value loop_value{std::shared_ptr<const Drop>(loop)};
    ctx.push_scope();
    ctx.set_local("tablerowloop", loop_value);
    out += "<tr class=\"row1\">\n";
    std::int64_t c = cols > 0 ? cols : loop->length;
    for (std::size_t i = 0; i < items.size(); ++i) {
      loop->index0 = static_cast<std::int64_t>(i);
      ctx.set_local(lp.var, items[i]);
      std::int64_t col0 = c > 0 ? loop->index0 % c : 0;
      out += "<td class=\"col" + std::to_string(col0 + 1) + "\">";
      body.render(ctx, out);
      out += "</td>";
      bool stop = ctx.interrupt == Context::Interrupt::Break;
      ctx.interrupt = Context::Interrupt::None;
      if (stop) break;
      if (col0 == c - 1 && i + 1 < items.size()) {
        out += "</tr>\n<tr class=\"row" + std::to_string(loop->index0 / c + 2) + "\">";
      }
    }
    out += "</tr>\n";
    ctx.pop_scope();
  }
};

class CycleNode : public Node {
 public:
  std::optional<Expr> group;
  std::string key;
  std::vector<Expr> values;

  void render(Context& ctx, std::string& out) const override {
    std::string k = group ? group->eval(ctx).to_string() : key;
    std::size_t& pos = ctx.cycles[k];
    if (pos < values.size()) values[pos].eval(ctx).append_to(out);
    if (++pos >= values.size()) pos = 0;
  }
};

class InterruptNode : public Node {
 public:
  explicit InterruptNode(Context::Interrupt i) : kind_(i) {}
  void render(Context& ctx, std::string&) const override { ctx.interrupt = kind_; }

 private:
  Context::Interrupt kind_;
};

}  // namespace

std::unique_ptr<Node> parse_for(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<ForNode>();
  node->lp = parse_loop(p, tok, false);
  RawToken t = p.parse_block(node->body, {"else", "endfor"}, tok);
  if (t.name == "else") p.parse_block(node->else_body, {"endfor"}, tok);
  if (node->blank()) {
    node->body.remove_blank_text();
    node->else_body.remove_blank_text();
  }
  return node;
}

std::unique_ptr<Node> parse_tablerow(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<TablerowNode>();
  node->lp = parse_loop(p, tok, true);
  p.parse_block(node->body, {"endtablerow"}, tok);
  return node;
}

std::unique_ptr<Node> parse_cycle(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<CycleNode>();
  TokenStream ts(p, tok.text, tok.at);
  if (ts.peek(1).kind == Tok::Colon) {
    node->group = p.parse_primary(ts);
    ts.expect(Tok::Colon, "':'");
  }
  do {
    node->values.push_back(p.parse_primary(ts));
  } while (ts.accept(Tok::Comma));
  ts.expect_end();
  node->key = std::string(tok.text);
  return node;
}

std::unique_ptr<Node> parse_break(Parser&, const RawToken&) {
  return std::make_unique<InterruptNode>(Context::Interrupt::Break);
}

std::unique_ptr<Node> parse_continue(Parser&, const RawToken&) {
  return std::make_unique<InterruptNode>(Context::Interrupt::Continue);
}

}  // namespace mayfly::site::liquid
