#include "bundle/scan.h"

#include <sys/stat.h>

#include <algorithm>

namespace mayfly::bundle {
namespace fs = std::filesystem;

bool is_editor_backup(std::string_view name) {
  if (name.empty()) return false;
  if (name.back() == '~') return true;
  if (name.size() >= 2 && name.front() == '#' && name.back() == '#') return true;
  for (std::string_view ext : {".swp", ".swo", ".swx", ".bak", ".orig", ".rej", ".tmp"})
    if (name.ends_with(ext)) return true;
  return false;
}

namespace {

bool within_root(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q)
    if (q == p.end() || *r != *q) return false;
  return true;
}

// ancestors: the real paths of the directories being walked, root first. A symlink that
// resolves to one of them would make the walk endless.
void walk(const fs::path& root, const fs::path& dir, const std::string& prefix, ScanResult& out,
          std::vector<fs::path>& ancestors) {
  std::vector<fs::directory_entry> children;
  for (const auto& e : fs::directory_iterator(dir)) children.push_back(e);
  // Sort for deterministic notices; the writer sorts paths again for the format.
  std::sort(children.begin(), children.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  for (const auto& e : children) {
    std::string name = e.path().filename().string();
    std::string path = prefix + "/" + name;
    if (name[0] == '.' && name != ".well-known") {
      out.notices.push_back("skipped dotfile " + path);
      continue;
    }
    if (is_editor_backup(name)) {
      out.notices.push_back("skipped editor backup " + path);
      continue;
    }
    if (std::any_of(name.begin(), name.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      out.notices.push_back("skipped a name with control characters in " + prefix + "/");
      continue;
    }
    fs::path target = e.path();
    if (e.is_symlink()) {
      std::error_code ec;
      fs::path real = fs::canonical(e.path(), ec);
      if (ec) throw BundleError(e.path().string() + ": broken symlink");
      if (!within_root(root, real))
        throw BundleError(e.path().string() + ": symlink leaves the site directory (to " +
                          real.string() + ")");
      target = real;
    }
    std::error_code ec;
    fs::file_status st = fs::status(target, ec);
    if (ec) throw BundleError(target.string() + ": " + ec.message());
    if (fs::is_directory(st)) {
      if (std::find(ancestors.begin(), ancestors.end(), target) != ancestors.end())
        throw BundleError(e.path().string() + ": symlink makes a loop (it points to " +
                          target.string() + ", which contains it)");
      ancestors.push_back(target);
      walk(root, target, path, out, ancestors);
      ancestors.pop_back();
    } else if (fs::is_regular_file(st)) {
      struct stat sb;
      if (::stat(target.c_str(), &sb) != 0) throw BundleError(target.string() + ": cannot stat");
      SourceFile f;
      f.path = path;
      f.disk_path = target.string();
      f.mtime = sb.st_mtim.tv_sec;
      out.files.push_back(std::move(f));
    } else {
      out.notices.push_back("skipped special file " + path);
    }
  }
}

}  // namespace

ScanResult scan_site(const fs::path& root) {
  std::error_code ec;
  fs::path real = fs::canonical(root, ec);
  if (ec) throw BundleError(root.string() + ": " + ec.message());
  if (!fs::is_directory(real)) throw BundleError(root.string() + ": not a directory");
  ScanResult out;
  try {
    std::vector<fs::path> ancestors = {real};
    walk(real, real, "", out, ancestors);
  } catch (const fs::filesystem_error& e) {
    throw BundleError(e.what());
  }
  return out;
}

}  // namespace mayfly::bundle
