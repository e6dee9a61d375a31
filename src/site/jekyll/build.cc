#include "site/jekyll/build.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/xxhash64.h"
#include "site/jekyll/front_matter.h"
#include "site/jekyll/plugins.h"
#include "site/jekyll/prepare.h"
#include "site/jekyll/reader.h"
#include "site/jekyll/render.h"
#include "site/jekyll/site_state.h"

namespace mayfly::site {
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void write_file(const fs::path& path, std::string_view data) {
  // No fsync: the staging folder is renamed into place only after every write succeeded.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 && errno == ENOENT) {
    fs::create_directories(path.parent_path());
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot write: " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      throw std::runtime_error(path.string() + ": write failed: " + std::strerror(err));
    }
    done += size_t(n);
  }
  ::close(fd);
}

// The build's output goes to DEST.tmp-PID first; a finished build replaces DEST in two
// renames, keeping the files Jekyll keeps (keep_files: .git, .svn).
class StagedDestination : public OutputSink {
 public:
  explicit StagedDestination(fs::path dest) : dest_(std::move(dest)) {
    staging_ = dest_.parent_path() /
               ("." + dest_.filename().string() + ".mayfly-" + std::to_string(::getpid()));
    fs::remove_all(staging_);
    fs::create_directories(staging_);
  }
  ~StagedDestination() {
    std::error_code ec;
    if (!committed_) fs::remove_all(staging_, ec);
  }
  const fs::path& root() const { return staging_; }
  void write(const std::string& path, std::string_view data) override {
    write_file(staging_ / path, data);
  }
  void copy(const std::string& path, const fs::path& from) override {
    fs::path to = staging_ / path;
    fs::create_directories(to.parent_path());
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  }
  void commit(const std::vector<std::string>& keep) {
    std::error_code ec;
    for (const auto& k : keep)
      if (fs::exists(dest_ / k)) fs::rename(dest_ / k, staging_ / k, ec);
    fs::path old = dest_.parent_path() /
                   ("." + dest_.filename().string() + ".old-" + std::to_string(::getpid()));
    if (fs::exists(dest_)) fs::rename(dest_, old);
    fs::rename(staging_, dest_);
    committed_ = true;
    fs::remove_all(old, ec);
  }

 private:
  fs::path dest_, staging_;
  bool committed_ = false;
};

}  // namespace

bool is_builtin_plugin(const std::string& name) {
  static const std::set<std::string> kBuiltin = {"jekyll-feed",      "jekyll-sitemap",
                                                 "jekyll-seo-tag",   "jekyll-paginate",
                                                 "jekyll-octopress", "octopress"};
  return kBuiltin.count(name) > 0;
}

BuildResult build_site(const fs::path& source, const BuildOptions& options,
                       std::unique_ptr<SiteState>* keep) {
  auto t0 = std::chrono::steady_clock::now();
  auto state = std::make_unique<SiteState>();
  state->config = load_config(source, options.flags);
  const SiteConfig& config = state->config;
  auto warn = [&](const std::string& w) {
    if (options.warn) options.warn(w);
  };
  if (!config.timezone.empty()) {
    // Jekyll sets TZ for the whole build: dates without a zone are in the site's.
    ::setenv("TZ", config.timezone.c_str(), 1);
    ::tzset();
  }
  if (!config.theme.empty() && config.theme_dir.empty())
    warn("theme '" + config.theme + "' is not installed; building without it");
  for (const auto& p : config.plugins)
    if (!is_builtin_plugin(p)) warn("plugin '" + p + "' is not built into mayfly and is skipped");
  int64_t now = options.time ? *options.time : int64_t(std::time(nullptr));
  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());

  state->content = read_site(config, threads);
  SiteContent& content = state->content;
  prepare_site(content, config, now);
  if (keep) {
    // The renderer frees each file's text; what tells a body edit from others is kept.
    for (const auto& d : content.posts) {
      if (d->kind != DocumentKind::Post) continue;
      PostSource& ps = state->posts[d->relative_path];
      ps.document = d.get();
      ps.header = d->raw.substr(0, d->raw.size() - d->body.size());
      ps.body_hash = xxhash64(d->body.data(), d->body.size());
    }
  }
  for (const auto& w : content.warnings) warn(w);
  BuildResult result;
  result.source = config.source;
  result.destination = config.destination;
  result.read_seconds = seconds_since(t0);

  auto t1 = std::chrono::steady_clock::now();
  state->renderer = std::make_unique<SiteRenderer>(config, content, now, options.cache);
  state->plugins = std::make_unique<Plugins>(config);
  SiteRenderer& renderer = *state->renderer;
  Plugins& plugins = *state->plugins;
  if (keep) renderer.track_reads();
  plugins.before_render(renderer, content);

  // Output paths are known before rendering: each document is written as soon as its layouts
  // are applied (on the render threads), so the site is never held in memory whole.
  std::optional<StagedDestination> staged;
  if (!options.sink) staged.emplace(config.destination);
  OutputSink& sink = options.sink ? *options.sink : *staged;
  std::map<std::string, std::string> written;  // output path → source, for conflicts
  auto claim = [&](const std::string& out, const std::string& from) {
    auto [it, fresh] = written.emplace(out, from);
    if (!fresh) warn("conflict: " + out + " is written by both " + it->second + " and " + from);
    return fresh;
  };
  for (Document* d : renderer.outputs())
    if (!claim(d->output_path, d->relative_path)) d->write = false;
  renderer.run(threads, [&sink](Document& d, std::string_view out) {
    if (d.write) sink.write(d.output_path, out);
  });
  for (const auto& w : renderer.warnings()) warn(w);
  state->generated = plugins.after_render(renderer, content);
  const std::vector<GeneratedFile>& generated = state->generated;
  result.render_seconds = seconds_since(t1);

  auto t2 = std::chrono::steady_clock::now();
  std::vector<const StaticFile*> statics;
  for (const auto& s : content.static_files)
    if (claim(s.output_path, s.relative_path)) statics.push_back(&s);
  parallel_for(statics.size(), threads,
               [&](size_t i) { sink.copy(statics[i]->output_path, statics[i]->source_path); });
  for (const auto& g : generated)
    if (claim(g.path, "(" + g.plugin + ")")) sink.write(g.path, g.content);
  if (staged) staged->commit({".git", ".svn"});
  result.write_seconds = seconds_since(t2);

  result.pages = content.pages.size();
  result.posts = content.posts.size();
  for (const auto& [name, list] : content.collections) result.documents += list.size();
  result.static_files = statics.size();
  result.files_written = written.size();
  state->now = now;
  state->threads = threads;
  if (keep) *keep = std::move(state);
  return result;
}

}  // namespace mayfly::site
