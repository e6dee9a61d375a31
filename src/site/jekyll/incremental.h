#pragma once
// `serve --watch` rebuilds: a blog built once stays in memory, and a rebuild after only
// posts' bodies or plain front matter values (a title) changed renders those posts again
// and the documents whose last render read their content, excerpt or changed values (the
// index page, a feed), not the whole site. Anything else — a post's date, tags, permalink
// or layout, a new or deleted file, a layout, an include, _config.yml, data, a static file,
// a body with Liquid that reads other documents — builds the site in full. A rebuild's
// files are always those a full build of the same source gives, byte for byte.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "site/jekyll/build.h"

namespace mayfly::site {

struct SiteState;

class IncrementalSite {
 public:
  // options.sink receives the files: all of them after a full build, the changed ones after
  // a partial one (Outcome::full says which).
  IncrementalSite(std::filesystem::path source, BuildOptions options);
  ~IncrementalSite();
  IncrementalSite(const IncrementalSite&) = delete;
  IncrementalSite& operator=(const IncrementalSite&) = delete;

  struct Outcome {
    BuildResult result;
    bool full = true;       // every file went to the sink
    size_t rerendered = 0;  // documents rendered again, when not full
    std::string why_full;   // what made a rebuild full (empty for the first build)
  };
  // touched: paths relative to the source that changed since the last build, as the
  // watcher saw them ("*": unknown, build in full). Files whose size, time or inode changed
  // are found as well. Throws what build_site throws; the next build is then a full one.
  Outcome build(const std::vector<std::string>& touched = {"*"});
  // site.time of the next builds (BuildOptions::time).
  void set_time(std::optional<int64_t> time) { options_.time = time; }

 private:
  struct Stamp {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    uint64_t inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  using Snapshot = std::map<std::string, Stamp>;
  Snapshot scan() const;
  Outcome full_build(Snapshot snapshot, std::string why);
  // The partial rebuild, or nullopt with `why` when only a full one will do.
  std::optional<Outcome> partial_build(const Snapshot& snapshot,
                                       const std::vector<std::string>& touched, std::string& why);

  std::filesystem::path source_;
  BuildOptions options_;
  std::unique_ptr<SiteState> state_;
  Snapshot snapshot_;
};

}  // namespace mayfly::site
