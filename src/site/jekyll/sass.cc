#include "site/jekyll/sass.h"

#include <sass.h>

#include <cstring>

#include "site/jekyll/yaml_value.h"

namespace mayfly::site {

std::string compile_sass(const std::string& source, bool indented, const SiteConfig& config,
                         const std::string& file, int first_line) {
  // libsass takes ownership of the input and frees it with free().
  char* input = static_cast<char*>(std::malloc(source.size() + 1));
  std::memcpy(input, source.c_str(), source.size() + 1);
  Sass_Data_Context* data = sass_make_data_context(input);
  Sass_Context* ctx = sass_data_context_get_context(data);
  Sass_Options* opts = sass_context_get_options(ctx);
  std::string include = (config.source / config.sass_dir).string();
  for (const auto& extra : config.sass_load_paths) include += ":" + extra;
  sass_option_set_include_path(opts, include.c_str());
  sass_option_set_is_indented_syntax_src(opts, indented);
  Sass_Output_Style style = config.sass_style == "expanded"     ? SASS_STYLE_EXPANDED
                            : config.sass_style == "nested"     ? SASS_STYLE_NESTED
                            : config.sass_style == "compressed" ? SASS_STYLE_COMPRESSED
                                                                : SASS_STYLE_COMPACT;
  sass_option_set_output_style(opts, style);
  sass_option_set_precision(opts, 10);
  sass_option_set_input_path(opts, file.c_str());
  int status = sass_compile_data_context(data);
  std::string out;
  if (status != 0) {
    std::string msg =
        sass_context_get_error_message(ctx) ? sass_context_get_error_message(ctx) : "Sass error";
    const char* where = sass_context_get_error_file(ctx);
    int line = int(sass_context_get_error_line(ctx));
    int col = int(sass_context_get_error_column(ctx));
    std::string err_file =
        where && std::string(where) != "stdin" && std::string(where) != file ? where : file;
    if (err_file == file) line += first_line - 1;
    size_t nl = msg.find('\n');
    if (nl != std::string::npos) msg = msg.substr(0, nl);
    sass_delete_data_context(data);
    throw SourceError(err_file, line, col, "Sass: " + msg);
  }
  out = sass_context_get_output_string(ctx);
  sass_delete_data_context(data);
  return out;
}

}  // namespace mayfly::site
