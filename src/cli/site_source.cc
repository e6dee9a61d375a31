#include "cli/site_source.h"

#include <filesystem>
#include <stdexcept>

#include "bundle/scan.h"
#include "cli/term.h"
#include "core/ascii.h"
#include "site/jekyll/build.h"

namespace mayfly::cli {

std::optional<int64_t> source_date_epoch() {
  const char* v = std::getenv("SOURCE_DATE_EPOCH");
  if (v == nullptr || *v == '\0') return std::nullopt;
  uint64_t t = 0;
  if (!parse_u64(v, t) || t > uint64_t(INT64_MAX))
    throw std::runtime_error(std::string("SOURCE_DATE_EPOCH is not a unix time: '") + v + "'");
  return int64_t(t);
}

bundle::WriteOptions write_options(const BundleFlags& flags) {
  bundle::WriteOptions o;
  o.site.index_name = flags.index_name;
  o.site.not_found = flags.not_found.starts_with('/') ? flags.not_found : "/" + flags.not_found;
  for (const std::string& h : flags.headers) {
    size_t colon = h.find(':');
    if (colon == std::string::npos)
      throw std::runtime_error("--header '" + h + "' is not of the form 'Name: value'");
    std::string value(trim_ows(std::string_view(h).substr(colon + 1)));
    o.site.headers.emplace_back(h.substr(0, colon), value);
  }
  o.compress = flags.compress;
  o.threads = flags.threads;
  o.source_date_epoch = source_date_epoch();
  o.progress = [](size_t done, size_t total) { print_progress("compressing", done, total); };
  return o;
}

std::vector<uint8_t> bundle_directory(const std::string& dir, const BundleFlags& flags,
                                      bundle::WriteStats* stats) {
  bundle::ScanResult scan = bundle::scan_site(dir);
  for (const std::string& n : scan.notices) print_notice(n);
  if (scan.files.empty()) throw std::runtime_error(dir + ": no files to bundle");
  return bundle::write_bundle(std::move(scan.files), write_options(flags), stats);
}

bool is_blog_source(const std::string& dir) {
  return std::filesystem::exists(std::filesystem::path(dir) / "_config.yml") ||
         std::filesystem::exists(std::filesystem::path(dir) / "_config.yaml");
}

void load_bundle(const std::string& path, const BundleFlags& flags, LoadedBundle& out) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    throw std::runtime_error(path + ": no such file or directory");
  const uint8_t* data;
  size_t size;
  if (std::filesystem::is_directory(status)) {
    std::string dir = path;
    if (is_blog_source(path)) {
      // A blog's source: build it as `mayfly build` would, then bundle what it wrote.
      site::BuildOptions o;
      o.time = source_date_epoch();
      o.warn = [](const std::string& w) { print_warning(w); };
      site::BuildResult r = site::build_site(path, o);
      print_notice("built " + r.destination.string() + ": " + std::to_string(r.posts) + " posts, " +
                   std::to_string(r.pages) + " pages");
      dir = r.destination.string();
    }
    std::vector<uint8_t> bytes = bundle_directory(dir, flags);
    out.mapped = hosted::MappedFile::from_bytes(bytes.data(), bytes.size(), "mayfly-bundle");
    data = out.mapped.data();
    size = out.mapped.size();
  } else {
    out.mapped = hosted::MappedFile::open(path);
    data = out.mapped.data();
    size = out.mapped.size();
  }
  bundle::Error e = out.bundle.open(data, size);
  if (e != bundle::Error::None) {
    std::string msg = path + ": " + bundle::describe(e);
    if (out.bundle.error_entry() != bundle::kNoEntry)
      msg += " (entry " + std::to_string(out.bundle.error_entry()) + ")";
    throw std::runtime_error(msg);
  }
}

}  // namespace mayfly::cli
