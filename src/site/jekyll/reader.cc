#include "site/jekyll/reader.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <exception>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "site/jekyll/front_matter.h"
#include "site/jekyll/parallel.h"
#include "site/jekyll/yaml_value.h"

namespace mayfly::site {
namespace fs = std::filesystem;
using liquid::Array;
using liquid::Hash;
using liquid::Value;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw SourceError(p.string(), 1, 1, "cannot read the file");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

int64_t mtime_of(const fs::path& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 ? int64_t(st.st_mtim.tv_sec) : 0;
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

// Entries of a directory, sorted by name for a deterministic build.
std::vector<fs::directory_entry> sorted_entries(const fs::path& dir) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.path().filename().string() < b.path().filename().string();
  });
  return out;
}

// Jekyll::Document::DATE_FILENAME_MATCHER: "YYYY-MM-DD-slug.ext".
const std::regex& date_filename() {
  static const std::regex re(R"(^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.*)(\.[^.]+)$)");
  return re;
}

// Fills a document's text from its file: raw text, front matter, body, output extension.
void read_document_file(Document& doc, const SiteConfig& config) {
  const fs::path& path = doc.source_path;
  doc.raw = read_text(path);
  if (auto fm = parse_front_matter(doc.raw, doc.relative_path)) {
    doc.has_front_matter = true;
    doc.front_matter = fm->data.as_hash();
    doc.body = std::string(fm->content);
    doc.body_line = fm->content_line;
  } else {
    doc.body = doc.raw;
  }
  doc.markdown = config.is_markdown(path);
  std::string ext = path.extension().string();
  doc.output_ext = doc.markdown || ext == ".html" || ext == ".htm" ? ".html" : ext;
  if (ext == ".scss" || ext == ".sass") doc.output_ext = ".css";
}

std::unique_ptr<Document> new_document(const fs::path& path, const std::string& relative,
                                       DocumentKind kind) {
  auto doc = std::make_unique<Document>();
  doc->kind = kind;
  doc->source_path = path;
  doc->relative_path = relative;
  return doc;
}

std::unique_ptr<Document> load_document(const fs::path& path, const std::string& relative,
                                        DocumentKind kind, const SiteConfig& config) {
  auto doc = new_document(path, relative, kind);
  read_document_file(*doc, config);
  return doc;
}

Value parse_csv(const std::string& text, char sep) {
  // RFC 4180 rows; the first row names the columns (Jekyll reads CSV with headers).
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == sep) {
      row.push_back(field);
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(field);
        rows.push_back(row);
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(field);
    rows.push_back(row);
  }
  Array out;
  if (rows.empty()) return out;
  const auto& header = rows[0];
  for (size_t r = 1; r < rows.size(); ++r) {
    Hash h;
    for (size_t k = 0; k < header.size(); ++k)
      h.set(header[k], k < rows[r].size() ? Value(rows[r][k]) : Value(nullptr));
    out.push_back(std::move(h));
  }
  return out;
}

Value json_to_value(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return nullptr;
    case nlohmann::json::value_t::boolean:
      return j.get<bool>();
    case nlohmann::json::value_t::number_integer:
      return j.get<int64_t>();
    case nlohmann::json::value_t::number_unsigned:
      return int64_t(j.get<uint64_t>());
    case nlohmann::json::value_t::number_float:
      return j.get<double>();
    case nlohmann::json::value_t::string:
      return j.get<std::string>();
    case nlohmann::json::value_t::array: {
      Array a;
      for (const auto& e : j) a.push_back(json_to_value(e));
      return a;
    }
    case nlohmann::json::value_t::object: {
      Hash h;
      for (auto it = j.begin(); it != j.end(); ++it) h.set(it.key(), json_to_value(it.value()));
      return h;
    }
    default:
      return nullptr;
  }
}

Value read_data_dir(const fs::path& dir, const std::string& relative, const EntryFilter& filter) {
  Hash h;
  for (const auto& e : sorted_entries(dir)) {
    std::string name = e.path().filename().string();
    std::string rel = join(relative, name);
    bool is_dir = e.is_directory();
    if (filter.skip(name, rel, is_dir)) continue;
    if (is_dir) {
      h.set(name, read_data_dir(e.path(), rel, filter));
      continue;
    }
    std::string ext = e.path().extension().string();
    std::string key = e.path().stem().string();
    if (ext == ".yml" || ext == ".yaml") {
      h.set(key, parse_yaml(read_text(e.path()), rel));
    } else if (ext == ".json") {
      try {
        h.set(key, json_to_value(nlohmann::json::parse(read_text(e.path()))));
      } catch (const nlohmann::json::parse_error& err) {
        throw SourceError(rel, 1, int(err.byte), std::string("invalid JSON: ") + err.what());
      }
    } else if (ext == ".csv") {
      h.set(key, parse_csv(read_text(e.path()), ','));
    } else if (ext == ".tsv") {
      h.set(key, parse_csv(read_text(e.path()), '\t'));
    }
  }
  return h;
}

class Walker {
 public:
  Walker(const SiteConfig& config, SiteContent& out)
      : config_(config), filter_(config), out_(out) {}

  // Marks a folder as being read while it lives. A folder reached again inside itself (a
  // link to a folder above it) is not entered: the walk would go round until the path is
  // too long, and write the site again at every level. A warning names the link.
  struct FolderGuard {
    FolderGuard(Walker& w, const fs::path& dir, const std::string& relative) : walker(w) {
      struct stat st;
      if (::stat(dir.c_str(), &st) != 0) return;  // the walk reports what it cannot read
      std::pair<dev_t, ino_t> id{st.st_dev, st.st_ino};
      auto& open = walker.open_folders_;
      if (std::find(open.begin(), open.end(), id) != open.end()) {
        walker.out_.warnings.push_back((relative.empty() ? std::string(".") : relative) +
                                       ": a link to a folder that contains it; not followed");
        return;
      }
      open.push_back(id);
      entered = true;
    }
    ~FolderGuard() {
      if (entered) walker.open_folders_.pop_back();
    }
    FolderGuard(const FolderGuard&) = delete;
    FolderGuard& operator=(const FolderGuard&) = delete;
    Walker& walker;
    bool entered = false;
  };

  void read_directory(const fs::path& dir, const std::string& relative) {
    FolderGuard guard(*this, dir, relative);
    if (!guard.entered) return;
    read_posts(dir / "_posts", join(relative, "_posts"), DocumentKind::Post, relative);
    if (config_.show_drafts)
      read_posts(dir / "_drafts", join(relative, "_drafts"), DocumentKind::Draft, relative);
    for (const auto& e : sorted_entries(dir)) {
      std::string name = e.path().filename().string();
      std::string rel = join(relative, name);
      std::error_code ec;
      bool is_dir = fs::is_directory(e.path(), ec);
      if (filter_.skip(name, rel, is_dir)) continue;
      if (is_dir) {
        if (fs::equivalent(e.path(), config_.destination, ec)) continue;
        read_directory(e.path(), rel);
      } else if (starts_with_front_matter(e.path())) {
        out_.pages.push_back(load_document(e.path(), rel, DocumentKind::Page, config_));
      } else {
        add_static(e.path(), rel, "");
      }
    }
  }

  void read_posts(const fs::path& dir, const std::string& relative, DocumentKind kind,
                  const std::string& category_dir) {
    if (!fs::is_directory(dir)) return;
    FolderGuard guard(*this, dir, relative);
    if (!guard.entered) return;
    for (const auto& e : sorted_entries(dir)) {
      std::string name = e.path().filename().string();
      std::string rel = join(relative, name);
      std::error_code ec;
      bool is_dir = fs::is_directory(e.path(), ec);
      if (filter_.skip(name, rel, is_dir)) continue;
      if (is_dir) {
        read_posts(e.path(), rel, kind, category_dir);
        continue;
      }
      std::smatch m;
      bool dated = std::regex_match(name, m, date_filename());
      if (kind == DocumentKind::Post && !dated) continue;  // Jekyll ignores them too
      if (!config_.is_markdown(e.path()) && e.path().extension() != ".html" &&
          !starts_with_front_matter(e.path())) {
        add_static(e.path(), rel, "posts");
        continue;
      }
      // Read later, on every core (read_post_files): a blog is mostly posts, and parsing
      // their front matter is most of reading a site.
      auto doc = new_document(e.path(), rel, kind);
      unread_posts_.push_back(doc.get());
      doc->collection = "posts";
      // Directories above _posts are categories (blog/_posts/x.md → "blog").
      if (!category_dir.empty()) {
        size_t start = 0;
        while (start <= category_dir.size()) {
          size_t slash = category_dir.find('/', start);
          std::string part = category_dir.substr(
              start, slash == std::string::npos ? std::string::npos : slash - start);
          if (!part.empty()) doc->categories.push_back(part);
          if (slash == std::string::npos) break;
          start = slash + 1;
        }
      }
      if (dated) {
        doc->slug = m[4].str();
      } else {
        doc->slug = e.path().stem().string();
        doc->date = mtime_of(e.path());  // a draft without a date: its modification time
      }
      out_.posts.push_back(std::move(doc));
    }
  }

  // Reads the posts' files found by the walk, in parallel; the first error in the posts'
  // order is the one reported, whatever the timing.
  void read_post_files(unsigned threads) {
    std::vector<std::exception_ptr> errors(unread_posts_.size());
    parallel_for(unread_posts_.size(), threads, [&](size_t i) {
      try {
        read_document_file(*unread_posts_[i], config_);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
    unread_posts_.clear();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  }

  void read_collection(const CollectionConfig& c) {
    fs::path base = config_.source / config_.collections_dir / ("_" + c.name);
    std::string rel_base = join(config_.collections_dir, "_" + c.name);
    auto& docs = out_.collections[c.name];
    if (!fs::is_directory(base)) return;
    read_collection_dir(c, base, rel_base, docs);
  }

  void read_layouts() {
    fs::path dir = config_.source / config_.layouts_dir;
    if (fs::is_directory(dir)) read_layout_dir(dir, config_.layouts_dir, "");
    // A theme's layouts fill in what the site does not define itself.
    if (!config_.theme_dir.empty() && fs::is_directory(config_.theme_dir / "_layouts"))
      read_layout_dir(config_.theme_dir / "_layouts", config_.layouts_dir, "");
  }

  // A theme's assets/ behave as if they were in the site, unless the site has the file.
  void read_theme_assets() {
    fs::path dir = config_.theme_dir / "assets";
    if (config_.theme_dir.empty() || !fs::is_directory(dir)) return;
    std::set<std::string> have;
    for (const auto& p : out_.pages) have.insert(p->relative_path);
    for (const auto& s : out_.static_files) have.insert(s.relative_path);
    read_theme_dir(dir, "assets", have);
  }

 private:
  void read_theme_dir(const fs::path& dir, const std::string& relative,
                      const std::set<std::string>& have) {
    FolderGuard guard(*this, dir, relative);
    if (!guard.entered) return;
    for (const auto& e : sorted_entries(dir)) {
      std::string name = e.path().filename().string();
      std::string rel = join(relative, name);
      std::error_code ec;
      bool is_dir = fs::is_directory(e.path(), ec);
      if (filter_.skip(name, rel, is_dir) || have.count(rel)) continue;
      if (is_dir)
        read_theme_dir(e.path(), rel, have);
      else if (starts_with_front_matter(e.path()))
        out_.pages.push_back(load_document(e.path(), rel, DocumentKind::Page, config_));
      else
        add_static(e.path(), rel, "");
    }
  }

  void read_layout_dir(const fs::path& dir, const std::string& rel, const std::string& prefix) {
    FolderGuard guard(*this, dir, rel);
    if (!guard.entered) return;
    for (const auto& e : sorted_entries(dir)) {
      std::string name = e.path().filename().string();
      if (e.is_directory()) {
        read_layout_dir(e.path(), join(rel, name), join(prefix, name));
        continue;
      }
      Layout l;
      l.name = join(prefix, e.path().stem().string());
      if (out_.layouts.count(l.name)) continue;
      l.path = e.path();
      l.relative_path = join(rel, name);
      std::string raw = read_text(e.path());
      if (auto fm = parse_front_matter(raw, l.relative_path)) {
        l.body = std::string(fm->content);
        l.body_line = fm->content_line;
        l.data = fm->data.as_hash();
      } else {
        l.body = raw;
      }
      out_.layouts.emplace(l.name, std::move(l));  // the first (the site's) wins
    }
  }

  void read_collection_dir(const CollectionConfig& c, const fs::path& dir, const std::string& rel,
                           std::vector<std::unique_ptr<Document>>& docs) {
    FolderGuard guard(*this, dir, rel);
    if (!guard.entered) return;
    for (const auto& e : sorted_entries(dir)) {
      std::string name = e.path().filename().string();
      std::string r = join(rel, name);
      std::error_code ec;
      bool is_dir = fs::is_directory(e.path(), ec);
      if (filter_.skip(name, r, is_dir)) continue;
      if (is_dir) {
        read_collection_dir(c, e.path(), r, docs);
      } else if (starts_with_front_matter(e.path())) {
        auto doc = load_document(e.path(), r, DocumentKind::CollectionDocument, config_);
        doc->collection = c.name;
        doc->write = c.output;
        docs.push_back(std::move(doc));
      } else if (c.output) {
        add_static(e.path(), r, c.name);
      }
    }
  }

  static bool starts_with_front_matter(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    char buf[8] = {};
    f.read(buf, sizeof buf);
    return has_front_matter(std::string_view(buf, size_t(f.gcount())));
  }

  void add_static(const fs::path& path, const std::string& rel, const std::string& collection) {
    StaticFile s;
    s.source_path = path;
    s.relative_path = rel;
    s.collection = collection;
    // A collection's static files drop the leading "_name/" (Jekyll: /:collection/:path).
    std::string out = rel;
    if (!collection.empty() && collection != "posts") {
      std::string prefix = join(config_.collections_dir, "_" + collection + "/");
      if (out.starts_with(prefix)) out = collection + "/" + out.substr(prefix.size());
    }
    s.output_path = out;
    s.url = "/" + out;
    s.mtime = mtime_of(path);
    out_.static_files.push_back(std::move(s));
  }

  const SiteConfig& config_;
  EntryFilter filter_;
  SiteContent& out_;
  std::vector<Document*> unread_posts_;                // found by the walk, in order; read after it
  std::vector<std::pair<dev_t, ino_t>> open_folders_;  // the folders being read, outermost first
};

}  // namespace

bool EntryFilter::matches(const std::vector<std::string>& patterns, const std::string& relative,
                          bool is_dir) const {
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) continue;
    // Jekyll::EntryFilter#glob_include?: fnmatch, a plain prefix, or "dir/" naming a dir.
    if (fnmatch(pattern.c_str(), relative.c_str(), 0) == 0) return true;
    if (relative.starts_with(pattern)) return true;
    if (is_dir && pattern == relative + "/") return true;
  }
  return false;
}

bool EntryFilter::skip(const std::string& name, const std::string& relative, bool is_dir) const {
  if (name == "." || name == "..") return true;
  if (matches(config_.include, name, is_dir) || matches(config_.include, relative, is_dir))
    return false;
  if (name[0] == '.' || name[0] == '_' || name[0] == '#' || name.back() == '~') return true;
  std::vector<std::string> excludes;
  for (const auto& e : config_.exclude)
    if (std::find(config_.include.begin(), config_.include.end(), e) == config_.include.end())
      excludes.push_back(e);
  return matches(excludes, relative, is_dir);
}

SiteContent read_site(const SiteConfig& config, unsigned threads) {
  SiteContent out;
  Walker w(config, out);
  w.read_layouts();
  w.read_directory(config.source, "");
  w.read_post_files(threads);
  w.read_theme_assets();
  for (const auto& c : config.collections)
    if (c.name != "posts") w.read_collection(c);
  fs::path data_dir = config.source / config.data_dir;
  out.data = fs::is_directory(data_dir)
                 ? read_data_dir(data_dir, config.data_dir, EntryFilter(config))
                 : Value(Hash{});
  return out;
}

}  // namespace mayfly::site
