#pragma once
// Walks a built site on disk and lists the files a bundle should hold.
#include <filesystem>
#include <string>
#include <vector>

#include "bundle/writer.h"

namespace mayfly::bundle {

struct ScanResult {
  std::vector<SourceFile> files;
  std::vector<std::string> notices;  // what was skipped, and why
};

// Dotfiles (except .well-known, which the web uses) and editor backups are skipped with a
// notice. A symlink that resolves outside root is refused: throws BundleError.
ScanResult scan_site(const std::filesystem::path& root);

// True for names editors leave behind: "x~", "#x#", ".x.swp", "x.bak", "x.orig".
bool is_editor_backup(std::string_view name);

}  // namespace mayfly::bundle
