#include "cli/watch.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "bundle/layout.h"
#include "bundle/writer.h"
#include "cli/source_watcher.h"
#include "cli/term.h"
#include "core/ascii.h"
#include "hosted/bundle_slot.h"
#include "site/jekyll/build.h"
#include "site/jekyll/config.h"
#include "site/jekyll/incremental.h"
#include "site/jekyll/render.h"

namespace mayfly::cli {
namespace fs = std::filesystem;

const char kLiveReloadScript[] =
    "<script>/* mayfly serve --watch: live reload */(function(){var seen=null;"
    "var es=new EventSource('/__mayfly/livereload');es.onmessage=function(e){"
    "if(seen===null){seen=e.data;}else if(e.data!==seen){es.close();location.reload();}};"
    "})();</script>";

std::string inject_live_reload(std::string_view html) {
  // The last </body>, in any case; pages without one get the script at the end.
  size_t at = std::string_view::npos;
  for (size_t i = html.size(); i >= 7; --i) {
    if (iequals(html.substr(i - 7, 7), "</body>")) {
      at = i - 7;
      break;
    }
  }
  std::string out;
  out.reserve(html.size() + sizeof kLiveReloadScript);
  if (at == std::string_view::npos) {
    out.append(html).append(kLiveReloadScript);
  } else {
    out.append(html.substr(0, at)).append(kLiveReloadScript).append(html.substr(at));
  }
  return out;
}

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// CPU time of the whole process (all threads): a rebuild's cost on a busy machine, where
// wall time also counts the waiting.
double process_cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// The site's files, kept in memory from one build to the next as the bundle stores them
// (hashed once, when written); HTML gets the live-reload script. A build's files collect
// apart and replace the site's whole after a full build, or only themselves after a partial
// one (site/jekyll/incremental.h).
class MemorySink : public site::OutputSink {
 public:
  void write(const std::string& path, std::string_view data) override {
    std::vector<uint8_t> bytes;
    if (path.ends_with(".html")) {
      std::string text = inject_live_reload(data);
      bytes.assign(text.begin(), text.end());
    } else {
      bytes.assign(data.begin(), data.end());
    }
    keep(path, std::move(bytes));
  }
  void copy(const std::string& path, const fs::path& from) override {
    keep(path, bundle::read_whole_file(from.string()));
  }
  // Ends a build: its files are the site's (full) or replace theirs (partial).
  void commit(bool full) {
    if (full) {
      files_ = std::move(pending_);
    } else {
      for (auto& [path, f] : pending_) files_[path] = std::move(f);
    }
    pending_.clear();
  }
  // Ends a failed build: the site stays as it was.
  void discard() { pending_.clear(); }
  // The site's files for a bundle layout, sharing their bytes.
  std::vector<bundle::LayoutFile> files() const {
    std::vector<bundle::LayoutFile> out;
    out.reserve(files_.size());
    for (const auto& [path, f] : files_) out.push_back(f);
    return out;
  }

 private:
  void keep(const std::string& path, std::vector<uint8_t> bytes) {
    bundle::LayoutFile f;
    f.path = "/" + path;
    f.mtime = int64_t(std::time(nullptr));
    f.blob = std::make_shared<const bundle::PreparedBlob>(bundle::prepare_blob(std::move(bytes)));
    std::lock_guard<std::mutex> lock(mutex_);
    pending_[path] = std::move(f);
  }

  std::mutex mutex_;
  std::map<std::string, bundle::LayoutFile> pending_, files_;
};

// The next bundle's file, made ahead. Allocating a memfd's pages costs more than copying
// the bundle into them (26 ms against 8 for 26 MB here), so the rebuilder makes the next
// one while it waits for a change. A file is never reused: pages sendfile handed to a
// socket may still be queued there after the response is done.
class SpareBundleFile {
 public:
  hosted::MappedFile take(size_t size) {
    std::optional<hosted::MappedFile> spare = std::move(spare_);
    spare_.reset();
    if (spare && spare->capacity() >= size) return std::move(*spare);
    return hosted::MappedFile::create(with_headroom(size), kName);
  }
  // Makes the next file, with room for a bundle a little larger than size.
  void prepare(size_t size) {
    if (!spare_ || spare_->capacity() < size)
      spare_ = hosted::MappedFile::create(with_headroom(size), kName);
  }

 private:
  static constexpr const char* kName = "mayfly-watch-bundle";
  static size_t with_headroom(size_t size) { return size + size / 8 + (1 << 20); }
  std::optional<hosted::MappedFile> spare_;
};

// A blog source built in memory, again and again.
struct WatchedSite {
  WatchedSite(const std::string& source, site::ConversionCache& cache)
      : site(source, options(cache, sink)) {}
  static site::BuildOptions options(site::ConversionCache& cache, MemorySink& sink) {
    site::BuildOptions o;
    o.time = source_date_epoch();
    o.warn = [](const std::string& w) { print_warning(w); };
    o.cache = &cache;
    o.sink = &sink;
    return o;
  }
  MemorySink sink;
  SpareBundleFile spare;
  site::IncrementalSite site;
};

struct Built {
  std::shared_ptr<hosted::ServedBundle> served;
  site::IncrementalSite::Outcome outcome;
  double bundle_ms = 0;
};

Built build_bundle(WatchedSite& ws, const std::vector<std::string>& changed,
                   const BundleFlags& flags, site::ConversionCache& cache, uint64_t generation,
                   const std::string& source) {
  Built b;
  try {
    b.outcome = ws.site.build(changed);
  } catch (...) {
    ws.sink.discard();
    throw;
  }
  ws.sink.commit(b.outcome.full);
  // A partial build converts only the edited posts: sweeping would forget all others.
  if (b.outcome.full) cache.sweep();
  // No gzip or brotli variants: rebuilds must be quick, and browsers on loopback do not
  // need them. Unchanged files keep the bytes and hashes of the build that made them.
  auto t_bundle = std::chrono::steady_clock::now();
  bundle::BundleLayout layout(ws.sink.files(), write_options(flags));
  hosted::MappedFile file = ws.spare.take(layout.size());
  layout.write(file.writable_data());
  file.seal(layout.size());
  auto served = std::make_shared<hosted::ServedBundle>();
  served->mapped = std::move(file);
  // Just written and checksummed by the layout: reading 26 MB again to verify would only
  // measure this machine's memory.
  bundle::Error e =
      served->bundle.open(served->mapped.data(), served->mapped.size(), bundle::Checksum::Skip);
  if (e != bundle::Error::None)
    throw std::runtime_error(source + ": rebuilt bundle: " + bundle::describe(e));
  served->live_event = "retry: 300\ndata: " + std::to_string(generation) + "\n\n";
  b.served = std::move(served);
  b.bundle_ms = ms_since(t_bundle);
  return b;
}

// Makes the next rebuild's file while nothing waits for it. Failing here costs only speed:
// the rebuild makes its own file, and reports the error if that fails too.
void prepare_spare(WatchedSite& ws, const hosted::BundleSlot& slot) {
  std::shared_ptr<const hosted::ServedBundle> current = slot.current();
  try {
    ws.spare.prepare(current ? current->mapped.size() : 0);
  } catch (const std::exception&) {
  }
}

}  // namespace

int serve_watch(const std::string& source, const BundleFlags& flags, hosted::ServerOptions server) {
  // Rebuilt pages and their prepared bytes come and go; served from the heap rather than
  // fresh mappings, that memory is reused instead of faulted in and zeroed page by page.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  site::ConversionCache cache;
  uint64_t generation = 1;
  auto t0 = std::chrono::steady_clock::now();
  auto watched = std::make_unique<WatchedSite>(source, cache);
  Built first = build_bundle(*watched, {"*"}, flags, cache, generation, source);
  const site::BuildResult& r0 = first.outcome.result;
  print_notice("built " + source + " in memory: " + std::to_string(r0.posts) + " posts, " +
               std::to_string(r0.pages) + " pages in " + std::to_string(int(ms_since(t0))) + " ms");

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  hosted::BundleSlot slot;
  slot.publish(first.served);
  prepare_spare(*watched, slot);
  server.slot = &slot;
  server.bundle_fd = first.served->mapped.fd();
  hosted::Server srv(first.served->bundle, server);
  srv.listen();
  std::string host =
      server.bind.find(':') != std::string::npos ? "[" + server.bind + "]" : server.bind;
  if (host == "0.0.0.0" || host == "[::]") host = "localhost";
  print_notice("serving " + source + " at http://" + host + ":" + std::to_string(srv.port()) +
               "/ with live reload; watching for changes — Ctrl-C to stop");

  // The destination (never written in watch mode, but Jekyll's serve writes it) is not
  // watched, so a `mayfly build` beside the server does not trigger rebuilds.
  SourceWatcher watcher(source, {r0.destination});
  std::atomic<bool> stopping{false};
  std::thread rebuilder([&] {
    for (;;) {
      std::vector<std::string> changed = watcher.wait();
      if (stopping.load() || changed.empty()) return;
      auto t = std::chrono::steady_clock::now();
      double cpu0 = process_cpu_ms();
      try {
        Built b = build_bundle(*watched, changed, flags, cache, generation + 1, source);
        ++generation;
        slot.publish(b.served);
        const site::BuildResult& r = b.outcome.result;
        char ms[64];
        char parts[160];
        std::snprintf(ms, sizeof ms, "%.1f ms (CPU %.0f ms)", ms_since(t), process_cpu_ms() - cpu0);
        std::snprintf(parts, sizeof parts, "read %.1f, render %.1f, write %.1f, bundle %.1f ms",
                      r.read_seconds * 1e3, r.render_seconds * 1e3, r.write_seconds * 1e3,
                      b.bundle_ms);
        std::string kind = b.outcome.full
                               ? "full, " + b.outcome.why_full
                               : "partial, " + std::to_string(b.outcome.rerendered) + " rendered";
        print_notice("rebuilt in " + std::string(ms) + ": " + parts + "; " + kind + " (" +
                     changed.front() +
                     (changed.size() > 1 ? " and " + std::to_string(changed.size() - 1) + " more"
                                         : std::string()) +
                     ")");
      } catch (const std::exception& e) {
        // Keep serving the last good site; the error names file:line:col.
        print_error(std::string(e.what()) + " (still serving the previous build)");
      }
      prepare_spare(*watched, slot);
    }
  });
  std::thread waiter([&srv, set] {
    int sig = 0;
    sigwait(&set, &sig);
    srv.stop();
  });
  srv.run();
  stopping.store(true);
  watcher.stop();
  rebuilder.join();
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  print_notice("stopped");
  return kExitOk;
}

}  // namespace mayfly::cli
