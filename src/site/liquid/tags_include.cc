// include (Liquid's and Jekyll's syntax) / render.
#include "site/liquid/context.h"
#include "site/liquid/parser.h"
#include "site/liquid/template.h"

namespace mayfly::site::liquid {

namespace {

constexpr int kMaxDepth = 100;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The partial's name, which may be computed at render time.
struct NamePart {
  std::string literal;
  std::optional<FilteredExpr> expr;
};

struct IncludeParams {
  std::vector<NamePart> name;    // concatenated
  std::optional<Expr> name_var;  // Liquid: a variable holding the name
  std::string fallback_name;     // used when name_var is not a string
  std::optional<Expr> bound;     // with / for
  bool bound_for = false;
  std::string alias;
  std::vector<std::pair<std::string, Expr>> kwargs;
  bool jekyll = false;  // params go to `include.*`
};

std::string partial_name(const IncludeParams& ip, Context& ctx) {
  if (ip.name_var) {
    Value v = ip.name_var->eval(ctx);
    if (v.is_string()) return v.as_string();
    return ip.fallback_name;
  }
  std::string s;
  for (const auto& part : ip.name) {
    if (part.expr) {
      part.expr->eval(ctx).append_to(s);
    } else {
      s += part.literal;
    }
  }
  return s;
}

std::shared_ptr<const Template> load(Context& ctx, const std::string& name) {
  if (!ctx.partials()) throw RenderError("cannot include '" + name + "': no partials loader");
  auto t = ctx.partials()->get(name);
  if (!t) throw RenderError("could not locate the included file '" + name + "'");
  if (ctx.depth >= kMaxDepth) throw RenderError("include nesting too deep at '" + name + "'");
  return t;
}

std::string default_alias(const std::string& name) {
  auto slash = name.rfind('/');
  std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
  return base;
}

// `with x [as y]`, `for x [as y]`, then `key: value` pairs.
void parse_liquid_params(Parser& p, TokenStream& ts, IncludeParams& ip) {
  if (ts.at_ident("with") || ts.at_ident("for")) {
    ip.bound_for = ts.next().text == "for";
    ip.bound = p.parse_primary(ts);
    if (ts.accept_ident("as")) ip.alias = std::string(ts.expect(Tok::Ident, "an alias").text);
  }
  for (;;) {
    ts.accept(Tok::Comma);
    if (ts.done()) break;
    std::string key(ts.expect(Tok::Ident, "a parameter name").text);
    ts.expect(Tok::Colon, "':'");
    ip.kwargs.emplace_back(std::move(key), p.parse_primary(ts));
  }
}

// Jekyll: `{% include footer.html a=1 b=page.x c="s" %}`, name may hold `{{ expr }}`.
void parse_jekyll(Parser& p, const RawToken& tok, IncludeParams& ip) {
  ip.jekyll = true;
  std::string_view m = tok.text;
  std::size_t i = 0;
  // The name runs to the first space outside `{{ }}`.
  while (i < m.size() && !is_space(m[i])) {
    if (m.substr(i, 2) == "{{") {
      auto close = m.find("}}", i);
      if (close == std::string_view::npos) p.fail(m.data() + i, "unclosed '{{' in include");
      TokenStream ts(p, m.substr(i + 2, close - i - 2), m.data() + i);
      NamePart part;
      part.expr = p.parse_filtered(ts);
      ts.expect_end();
      ip.name.push_back(std::move(part));
      i = close + 2;
      continue;
    }
    if (ip.name.empty() || ip.name.back().expr) ip.name.emplace_back();
    ip.name.back().literal += m[i];
    ++i;
  }
  while (i < m.size()) {
    while (i < m.size() && is_space(m[i])) ++i;
    if (i >= m.size()) break;
    std::size_t k = i;
    while (k < m.size() && (is_ident_char(m[k]))) ++k;
    if (k == i || k >= m.size() || m[k] != '=') {
      p.fail(m.data() + i, "invalid include parameter, expected key=value");
    }
    std::string key(m.substr(i, k - i));
    std::size_t v = k + 1;
    std::size_t e = v;
    if (v < m.size() && (m[v] == '"' || m[v] == '\'')) {
      auto close = m.find(m[v], v + 1);
      if (close == std::string_view::npos) p.fail(m.data() + v, "unterminated string");
      e = close + 1;
    } else {
      while (e < m.size() && !is_space(m[e])) ++e;
    }
    TokenStream ts(p, m.substr(v, e - v), m.data() + v);
    ip.kwargs.emplace_back(std::move(key), p.parse_primary(ts));
    ts.expect_end();
    i = e;
  }
}

IncludeParams parse_params(Parser& p, const RawToken& tok, bool render_tag) {
  IncludeParams ip;
  std::string_view m = tok.text;
  if (m.empty()) p.fail(tok, std::string(tok.name) + " needs a template name");
  if (m.front() == '\'' || m.front() == '"') {
    TokenStream ts(p, m, tok.at);
    Token name = ts.expect(Tok::String, "a template name");
    ip.name.push_back(NamePart{std::string(name.text), std::nullopt});
    parse_liquid_params(p, ts, ip);
    return ip;
  }
  if (render_tag) p.fail(tok, "render needs a quoted template name");
  // A bare word that names a variable uses Liquid's syntax; a file name uses Jekyll's.
  std::size_t w = 0;
  while (w < m.size() && is_ident_char(m[w])) ++w;
  bool liquid_form = w > 0 && (w == m.size() || is_space(m[w]) || m[w] == ',');
  if (liquid_form) {
    std::size_t k = w;
    while (k < m.size() && is_space(m[k])) ++k;
    std::size_t e = k;
    while (e < m.size() && is_ident_char(m[e])) ++e;
    if (e < m.size() && m[e] == '=') liquid_form = false;  // `{% include name key=value %}`
  }
  if (!liquid_form) {
    parse_jekyll(p, tok, ip);
    return ip;
  }
  TokenStream ts(p, m, tok.at);
  Token word = ts.peek();
  ip.name_var = p.parse_primary(ts);
  ip.fallback_name = std::string(word.text);
  parse_liquid_params(p, ts, ip);
  return ip;
}

class IncludeNode : public Node {
 public:
  IncludeParams ip;

  void render(Context& ctx, std::string& out) const override {
    std::string name = partial_name(ip, ctx);
    auto t = load(ctx, name);
    ctx.push_scope();
    ++ctx.depth;
    struct Guard {
      Context& c;
      ~Guard() {
        --c.depth;
        c.pop_scope();
      }
    } guard{ctx};
    if (ip.jekyll) {
      if (!ip.kwargs.empty()) {
        Hash h;
        for (const auto& [k, e] : ip.kwargs) h.set(k, e.eval(ctx));
        ctx.set_local("include", Value(std::move(h)));
      }
      t->render_to(ctx, out);
      return;
    }
    for (const auto& [k, e] : ip.kwargs) ctx.set_local(k, e.eval(ctx));
    std::string var = ip.alias.empty() ? default_alias(name) : ip.alias;
    if (ip.bound) {
      Value v = ip.bound->eval(ctx);
      if (ip.bound_for && v.is_sequence()) {
        for (const auto& item : v.to_array()) {
          ctx.set_local(var, item);
          t->render_to(ctx, out);
          if (ctx.interrupt != Context::Interrupt::None) break;
        }
        return;
      }
      ctx.set_local(var, v);
    }
    t->render_to(ctx, out);
  }
};

class RenderNode : public Node {
 public:
  IncludeParams ip;

  void render(Context& ctx, std::string& out) const override {
    std::string name = partial_name(ip, ctx);
    auto t = load(ctx, name);
    std::string var = ip.alias.empty() ? default_alias(name) : ip.alias;
    auto setup = [&](Context& sub) {
      sub.depth = ctx.depth + 1;
      for (const auto& [k, e] : ip.kwargs) sub.assign(k, e.eval(ctx));
    };
    if (ip.bound && ip.bound_for) {
      Value v = ip.bound->eval(ctx);
      if (v.is_sequence()) {
        Array items = v.to_array();
        Value loop_hash;
        for (std::size_t i = 0; i < items.size(); ++i) {
          Context sub = ctx.isolated();
          setup(sub);
          auto n = static_cast<std::int64_t>(items.size());
          auto i0 = static_cast<std::int64_t>(i);
          Hash loop{{"length", n},        {"index", i0 + 1},       {"index0", i0},
                    {"rindex", n - i0},   {"rindex0", n - i0 - 1}, {"first", i == 0},
                    {"last", i0 == n - 1}};
          sub.assign("forloop", Value(std::move(loop)));
          sub.assign(var, items[i]);
          t->render_to(sub, out);
        }
        return;
      }
    }
    Context sub = ctx.isolated();
    setup(sub);
    if (ip.bound) sub.assign(var, ip.bound->eval(ctx));
    t->render_to(sub, out);
  }
};

}  // namespace

std::unique_ptr<Node> parse_include(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<IncludeNode>();
  node->ip = parse_params(p, tok, false);
  return node;
}

std::unique_ptr<Node> parse_render(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<RenderNode>();
  node->ip = parse_params(p, tok, true);
  return node;
}

}  // namespace mayfly::site::liquid
