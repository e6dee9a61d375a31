// mayfly new DIR: a new blog with the default theme.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/term.h"
#include "site/skeleton.h"

namespace mayfly::cli {
namespace fs = std::filesystem;

void add_new_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string dir;
    bool force = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd =
      app.add_subcommand("new", "Create a new blog: layouts, stylesheet, about page, first post");
  cmd->add_option("DIR", args->dir, "Folder for the new blog (must be empty or absent)")
      ->required();
  cmd->add_flag("--force", args->force,
                "Write into a folder that is not empty (existing files are kept)");
  cmd->callback([args, &exit_code] {
    try {
      fs::path root(args->dir);
      std::error_code ec;
      if (fs::exists(root) && !fs::is_empty(root, ec) && !args->force)
        throw std::runtime_error(args->dir +
                                 ": exists and is not empty (use --force to add to it)");
      size_t written = 0;
      for (const auto& f : site::skeleton_files()) {
        fs::path p = root / std::string(f.path);
        if (fs::exists(p)) continue;
        fs::create_directories(p.parent_path());
        std::ofstream out(p, std::ios::binary);
        out.write(f.content.data(), std::streamsize(f.content.size()));
        if (!out) throw std::runtime_error(p.string() + ": cannot write");
        ++written;
      }
      std::cout << "new blog in " << root.string() << " (" << written << " files)\n"
                << "next: mayfly build " << root.string() << "    or    mayfly serve "
                << root.string() << "\n";
      exit_code = kExitOk;
    } catch (const std::exception& e) {
      print_error(e.what());
      exit_code = kExitFailure;
    }
  });
}

}  // namespace mayfly::cli
