#pragma once
// Renders every document of a site: Liquid in the body, Markdown to HTML, excerpts, then
// the layout chain — with `site`, `page`, `layout`, `content` and `paginator` as Jekyll
// sets them. Documents render on several threads; templates are parsed once.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "site/jekyll/config.h"
#include "site/jekyll/host.h"
#include "site/jekyll/parallel.h"
#include "site/jekyll/read_tracker.h"
#include "site/jekyll/reader.h"
#include "site/liquid/liquid.h"
#include "site/markdown/render.h"

namespace mayfly::site {

// Markdown converted to HTML, kept between the builds of one process (`mayfly serve --watch`).
// Conversion is a pure function of the text and the Markdown options, so a post whose text
// did not change is not converted again. Thread-safe.
class ConversionCache {
 public:
  std::shared_ptr<const std::string> find(uint64_t key, uint64_t check);
  void put(uint64_t key, uint64_t check, std::shared_ptr<const std::string> html);
  // Drops the entries no build used since the previous sweep.
  void sweep();
  size_t size();

 private:
  struct Entry {
    uint64_t check;
    std::shared_ptr<const std::string> html;
    bool used;
  };
  std::mutex mutex_;
  std::unordered_map<uint64_t, Entry> entries_;
};

class SiteRenderer {
 public:
  SiteRenderer(const SiteConfig& config, SiteContent& content, int64_t now,
               ConversionCache* cache = nullptr);
  ~SiteRenderer();

  // Extra tags and filters (plugins) go in before run().
  liquid::Environment& environment() { return env_; }
  // Pages that a generator adds (pagination) before run(); `paginator` is set as the
  // template variable of that name when not nil, with `paginator.posts` filled in from
  // `posts` once their content is rendered.
  void add_page(std::unique_ptr<Document> page, liquid::Hash paginator = {},
                std::vector<const Document*> posts = {});

  // Renders everything. Throws SourceError or liquid::LiquidError ("file:line:col: ...").
  // With on_output, each finished document's output goes there (from any render thread)
  // instead of into Document::output, so that a big site is not held in memory twice.
  using OutputFn = std::function<void(Document&, std::string_view)>;
  void run(unsigned threads, const OutputFn& on_output = {});

  // `serve --watch`: record, from run() on, what each render reads of the documents' values
  // (read_tracker.h), so that rerender_bodies() can tell what a body edit reaches.
  void track_reads() { tracking_ = true; }
  // An edited post for rerender_bodies(): its body (set by the caller) and the front matter
  // values that changed (keys whose value the post's data shows as written, and that decide
  // nothing about its date, URL, place or layout: see incremental.cc).
  struct PostEdit {
    Document* post;
    std::vector<std::pair<std::string, liquid::Value>> values;
  };
  // `serve --watch`, after run(): the posts in `edits` changed and the build's time is
  // `now`. Renders them again, then every document whose last render read their content or
  // excerpt or a changed value (or site.time, when it moved), handing each output to
  // on_output; the result is what run() gives on the same source. Returns false when that
  // cannot be promised (a body reads other documents' values); the renderer is then in a
  // half state and only good for destruction.
  bool rerender_bodies(const std::vector<PostEdit>& edits, int64_t now, unsigned threads,
                       const OutputFn& on_output);
  // The documents rerender_bodies() rendered last.
  size_t rerendered() const { return rerendered_; }

  // The `site` variable as the final pages saw it (for generators that run afterwards).
  const liquid::Value& site_value() const { return site_; }
  // Every document to write: pages, posts, collection documents with output.
  std::vector<Document*> outputs() const;
  const std::vector<std::string>& warnings() const { return warnings_; }

  // A document as templates see it (`page`, items of site.posts).
  liquid::Value document_value(const Document& d) const;

 private:
  struct LayoutTemplate;
  struct Paginated {
    Document* page;
    liquid::Hash paginator;
    std::vector<const Document*> posts;
  };
  using SiteFn = std::function<const liquid::Value&()>;
  void render_body(Document& d, const SiteFn& site, const liquid::Value& paginator, ReadSet* reads);
  void render_excerpt(Document& d, const SiteFn& site, ReadSet* reads);
  void apply_layouts(Document& d, const liquid::Value& site, const liquid::Value& paginator,
                     const OutputFn& on_output, ReadSet* reads);
  // Posts' values with next and previous, then site_ (after phase 1, and after a body edit).
  void link_posts();
  // Old values of posts → their new ones, after body edits.
  struct Replacements {
    std::unordered_map<const liquid::Hash*, liquid::Value> to;
    // The old values themselves, alive while `to` is keyed by their addresses.
    std::vector<liquid::Value> retired;
  };
  // After a body edit of d: new values for d and its neighbours in post_values_.
  void relink_post(Document& d, Replacements& replaced);
  // v with the replacements swapped in, sharing all that did not change.
  liquid::Value replace_values(const liquid::Value& v, const Replacements& replaced) const;
  // paginator.posts of a paginated page from the posts' current values.
  liquid::Value paginator_value(Paginated& p) const;
  // A document's value, remembered as that document's when reads are tracked.
  liquid::Value tracked_value(const Document& d, liquid::Value v) const;
  std::shared_ptr<const std::string> convert(const Document& d, std::string_view text) const;
  std::shared_ptr<const liquid::Template> parse(const std::string& source, const std::string& file,
                                                int first_line) const;
  // The `site` variable from the current state of the content (posts' values once rendered).
  liquid::Value build_site_value() const;
  RenderHost host_for(const Document& d) const;
  liquid::Value site_for(const Document& d, const liquid::Value& site) const;

  const SiteConfig& config_;
  SiteContent& content_;
  int64_t now_;
  liquid::Environment env_;
  std::unique_ptr<liquid::Partials> partials_;
  std::map<std::string, std::unique_ptr<LayoutTemplate>> layouts_;
  std::map<std::string, std::string> urls_by_path_;
  std::map<std::string, std::string> post_urls_;

  std::vector<std::unique_ptr<Document>> generated_;
  markdown::Options markdown_options_;
  ConversionCache* cache_;
  uint64_t cache_seed_ = 0;  // the Markdown options, hashed into every cache key
  liquid::Value site_;
  std::vector<std::string> warnings_;
  std::mutex warnings_mutex_;
  std::map<const Document*, liquid::Value> post_values_;
  std::vector<Paginated> paginated_;

  // Read tracking (`serve --watch`).
  bool tracking_ = false;
  mutable DocumentHashes document_hashes_;  // filled single-threaded, read while rendering
  std::unordered_map<const Document*, ReadSet> reads_;        // layouts, and pages' bodies
  std::unordered_map<const Document*, ReadSet> early_reads_;  // posts' bodies and excerpts
  bool early_reads_documents_ = false, early_reads_time_ = false;
  std::unordered_map<const Document*, liquid::Hash> prepared_data_;  // posts' data before run()
  size_t rerendered_ = 0;
};

}  // namespace mayfly::site
