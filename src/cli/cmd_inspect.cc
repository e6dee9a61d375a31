// mayfly inspect site.mfb: what a bundle holds.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/site_source.h"
#include "cli/term.h"
#include "http/date.h"

namespace mayfly::cli {
namespace {

const char* kind_name(bundle::EntryKind k) {
  return k == bundle::EntryKind::File ? "file" : "redirect";
}

std::string http_date(int64_t t) {
  char buf[http::kHttpDateLength];
  http::format_http_date(t, buf);
  return {buf, http::kHttpDateLength};
}

}  // namespace

void add_inspect_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string path;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show what a bundle or a disk image holds");
  cmd->add_option("PATH", args->path, "Bundle file (.mfb) or disk image (mayfly image)")
      ->required();
  cmd->add_flag("--json", args->json, "Print as JSON on stdout");
  cmd->callback([args, &exit_code] {
    try {
      LoadedBundle lb;
      if (std::filesystem::is_directory(args->path))
        throw std::runtime_error(args->path + ": is a directory; inspect takes a bundle file");
      if (is_disk_image_file(args->path)) {
        exit_code = inspect_image(args->path, args->json);
        return;
      }
      load_bundle(args->path, BundleFlags{}, lb);
      const bundle::Bundle& b = lb.bundle;
      char id[33];
      b.id_hex(id);
      bundle::Entry nf;
      std::string not_found = b.not_found(nf) ? std::string(nf.path) : "";
      if (args->json) {
        nlohmann::json entries = nlohmann::json::array();
        for (uint32_t i = 0; i < b.entry_count(); ++i) {
          bundle::Entry e = b.entry(i);
          nlohmann::json j = {{"path", e.path}, {"kind", kind_name(e.kind)}};
          if (e.kind == bundle::EntryKind::File) {
            j["content_type"] = e.content_type;
            j["size"] = e.variant(bundle::Encoding::Identity).size;
            if (e.has(bundle::Encoding::Gzip)) j["gzip"] = e.variant(bundle::Encoding::Gzip).size;
            if (e.has(bundle::Encoding::Brotli)) j["br"] = e.variant(bundle::Encoding::Brotli).size;
            j["etag"] = "\"" + std::string(e.etag) + "\"";
            j["last_modified"] = http_date(e.mtime);
            j["cache_control"] = e.cache_control;
          }
          entries.push_back(j);
        }
        nlohmann::json out = {{"path", args->path},
                              {"id", id},
                              {"bytes", b.size()},
                              {"created", b.created()},
                              {"index", b.index_name()},
                              {"not_found", not_found},
                              {"extra_headers", b.extra_headers()},
                              {"entries", entries}};
        std::cout << out.dump(2) << "\n";
      } else {
        std::printf(
            "bundle   %s\nid       %s\nsize     %s\ncreated  %s\nindex    %.*s\n404      %s\n",
            args->path.c_str(), id, human_bytes(b.size()).c_str(), http_date(b.created()).c_str(),
            int(b.index_name().size()), b.index_name().data(),
            not_found.empty() ? "(none)" : not_found.c_str());
        if (!b.extra_headers().empty()) {
          std::printf("headers  ");
          std::string_view h = b.extra_headers();
          while (!h.empty()) {
            size_t end = h.find("\r\n");
            std::printf("%.*s\n", int(std::min(end, h.size())), h.data());
            h.remove_prefix(std::min(end + 2, h.size()));
            if (!h.empty()) std::printf("         ");
          }
        }
        std::printf("entries  %u\n\n%-10s %10s %10s %10s  %-28s %s\n", b.entry_count(), "KIND",
                    "SIZE", "GZIP", "BR", "TYPE", "PATH");
        for (uint32_t i = 0; i < b.entry_count(); ++i) {
          bundle::Entry e = b.entry(i);
          auto size = [&](bundle::Encoding enc) {
            return e.kind == bundle::EntryKind::File && e.has(enc)
                       ? std::to_string(e.variant(enc).size)
                       : std::string("-");
          };
          std::string type(e.content_type);
          std::printf("%-10s %10s %10s %10s  %-28s %.*s\n", kind_name(e.kind),
                      size(bundle::Encoding::Identity).c_str(),
                      size(bundle::Encoding::Gzip).c_str(), size(bundle::Encoding::Brotli).c_str(),
                      type.empty() ? "-" : type.c_str(), int(e.path.size()), e.path.data());
        }
      }
      exit_code = kExitOk;
    } catch (const std::exception& e) {
      print_error(e.what());
      exit_code = kExitFailure;
    }
  });
}

}  // namespace mayfly::cli
