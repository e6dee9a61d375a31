// A parsed template, rendered many times; partials (include/render) loaded through the host.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "site/liquid/ast.h"
#include "site/liquid/environment.h"

namespace mayfly::site::liquid {

class Context;

class Template {
 public:
  // Parses `source`; throws LiquidError "filename:line:col: message" on a syntax error.
  // Filters and tags are taken from `env`, which must outlive the template.
  static std::shared_ptr<const Template> parse(std::string_view source, std::string_view filename,
                                               const Environment& env = Environment::standard());

  std::string render(Context& ctx) const;
  // Appends to `out`.
  void render_to(Context& ctx, std::string& out) const;
  const std::string& filename() const { return filename_; }
  const std::string& source() const { return source_; }

  Template(std::string source, std::string filename)
      : source_(std::move(source)), filename_(std::move(filename)) {}

 private:
  friend class Parser;
  std::string source_;  // kept: raw bodies of custom tags point into it
  std::string filename_;
  Block body_;
};

// Source text of a partial, as the host's loader returns it.
struct PartialSource {
  std::string source;
  std::string filename;  // used in error messages
};

// Resolves `{% include name %}` / `{% render name %}` through a host callback and caches the
// parsed templates by name. Thread-safe.
class Partials {
 public:
  using Loader = std::function<std::optional<PartialSource>(std::string_view name)>;
  explicit Partials(Loader loader, const Environment& env = Environment::standard())
      : loader_(std::move(loader)), env_(&env) {}

  // The parsed partial, or nullptr when the loader does not know the name.
  std::shared_ptr<const Template> get(std::string_view name);
  void clear();

 private:
  Loader loader_;
  const Environment* env_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Template>> cache_;
};

}  // namespace mayfly::site::liquid
