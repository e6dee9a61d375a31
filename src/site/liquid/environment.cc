#include "site/liquid/environment.h"

#include "site/liquid/ast.h"

namespace mayfly::site::liquid {

const Environment& Environment::standard() {
  static const Environment env = [] {
    Environment e;
    register_string_filters(e);
    register_array_filters(e);
    register_math_filters(e);
    register_date_filters(e);
    return e;
  }();
  return env;
}

void Environment::register_filter(std::string name, FilterFn fn, std::size_t min_args,
                                  std::size_t max_args) {
  filters_[std::move(name)] = FilterDef{std::move(fn), min_args, max_args};
}

void Environment::register_tag(std::string name, TagFactory factory) {
  tags_[std::move(name)] = TagDef{std::move(factory), false, false};
}

void Environment::register_block(std::string name, TagFactory factory, bool raw_body) {
  tags_[std::move(name)] = TagDef{std::move(factory), true, raw_body};
}

const FilterDef* Environment::find_filter(std::string_view name) const {
  auto it = filters_.find(name);
  return it == filters_.end() ? nullptr : &it->second;
}

const TagDef* Environment::find_tag(std::string_view name) const {
  auto it = tags_.find(name);
  return it == tags_.end() ? nullptr : &it->second;
}

void TagBody::render(Context& ctx, std::string& out) const {
  if (block_) block_->render(ctx, out);
}

std::string TagBody::render(Context& ctx) const {
  std::string s;
  render(ctx, s);
  return s;
}

}  // namespace mayfly::site::liquid
