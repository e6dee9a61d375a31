// mayfly bundle DIR -o site.mfb: a built site becomes one sealed, indexed file.
#include <nlohmann/json.hpp>

#include <iostream>

#include "bundle/reader.h"
#include "cli/commands.h"
#include "cli/site_source.h"
#include "cli/term.h"
#include "hosted/atomic_file.h"

namespace mayfly::cli {

void add_bundle_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string dir;
    std::string output = "site.mfb";
    BundleFlags flags;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("bundle", "Pack a built site directory into a bundle (.mfb)");
  cmd->add_option("DIR", args->dir, "Built site directory (for example _site)")->required();
  cmd->add_option("-o,--output", args->output, "Bundle file to write")->capture_default_str();
  cmd->add_option("--header", args->flags.headers,
                  "Extra response header for every response, 'Name: value' (repeatable)");
  cmd->add_option("--index", args->flags.index_name, "Index file served for a directory")
      ->capture_default_str();
  cmd->add_option("--not-found", args->flags.not_found, "Page served with 404 responses")
      ->capture_default_str();
  cmd->add_flag("!--no-compress", args->flags.compress, "Skip the gzip and brotli variants");
  cmd->add_option("--threads", args->flags.threads, "Compression threads (default: one per core)");
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  cmd->footer(
      "Dotfiles (except .well-known) and editor backups are skipped. With SOURCE_DATE_EPOCH "
      "set, the same directory gives a byte-identical bundle.");
  cmd->callback([args, &exit_code] {
    try {
      bundle::WriteStats stats;
      std::vector<uint8_t> image = bundle_directory(args->dir, args->flags, &stats);
      bundle::Bundle check;
      if (bundle::Error e = check.open(image.data(), image.size()); e != bundle::Error::None)
        throw std::runtime_error(std::string("internal error: wrote an invalid bundle: ") +
                                 bundle::describe(e));
      hosted::write_file_atomic(args->output, image.data(), image.size());
      char id[33];
      check.id_hex(id);
      if (args->json) {
        nlohmann::json j = {{"output", args->output},
                            {"id", id},
                            {"files", stats.files},
                            {"redirects", stats.redirects},
                            {"bytes", stats.bundle_bytes},
                            {"content_bytes", stats.identity_bytes},
                            {"gzip_variants", stats.gzip_variants},
                            {"brotli_variants", stats.brotli_variants}};
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << "wrote " << args->output << ": " << stats.files << " files, "
                  << stats.redirects << " directory redirects, " << stats.gzip_variants
                  << " gzip and " << stats.brotli_variants << " brotli variants, "
                  << human_bytes(stats.bundle_bytes) << " (content "
                  << human_bytes(stats.identity_bytes) << ")\nbundle id " << id << "\n";
      }
      exit_code = kExitOk;
    } catch (const std::exception& e) {
      print_error(e.what());
      exit_code = kExitFailure;
    }
  });
}

}  // namespace mayfly::cli
