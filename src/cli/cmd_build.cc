// mayfly build [SRC]: a Jekyll-layout blog becomes a static site.
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/site_source.h"
#include "cli/term.h"
#include "site/jekyll/build.h"

namespace mayfly::cli {

void add_build_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string source = ".";
    std::string destination;
    std::string baseurl;
    std::vector<std::string> configs;
    bool drafts = false, future = false, unpublished = false, json = false;
    unsigned threads = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd =
      app.add_subcommand("build", "Build a Jekyll/Octopress-layout blog into a static site");
  cmd->add_option("SRC", args->source, "Site source (holds _config.yml)")->capture_default_str();
  cmd->add_option("-d,--destination", args->destination,
                  "Output folder (default: SRC/_site, or the config's)");
  cmd->add_option("--baseurl", args->baseurl,
                  "Serve the site under this path (overrides the config)");
  cmd->add_option("--config", args->configs,
                  "Configuration files, later ones win (default: _config.yml)")
      ->delimiter(',');
  cmd->add_flag("-D,--drafts", args->drafts, "Render posts in _drafts");
  cmd->add_flag("--future", args->future, "Publish posts dated in the future");
  cmd->add_flag("--unpublished", args->unpublished, "Render posts marked published: false");
  cmd->add_option("-t,--threads", args->threads, "Render threads (default: one per core)");
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  cmd->footer(
      "The destination is replaced only when the whole build succeeds. SOURCE_DATE_EPOCH, when "
      "set, "
      "is site.time.");
  cmd->callback([args, &exit_code] {
    try {
      site::BuildOptions o;
      if (!args->destination.empty()) o.flags.destination = args->destination;
      if (!args->baseurl.empty()) o.flags.baseurl = args->baseurl;
      for (const auto& c : args->configs) o.flags.config_files.push_back(c);
      o.flags.drafts = args->drafts;
      o.flags.future = args->future;
      o.flags.unpublished = args->unpublished;
      o.threads = args->threads;
      o.time = source_date_epoch();
      o.warn = [](const std::string& w) { print_warning(w); };
      site::BuildResult r = site::build_site(args->source, o);
      double total = r.read_seconds + r.render_seconds + r.write_seconds;
      if (args->json) {
        nlohmann::json j = {{"source", r.source.string()},
                            {"destination", r.destination.string()},
                            {"pages", r.pages},
                            {"posts", r.posts},
                            {"documents", r.documents},
                            {"static_files", r.static_files},
                            {"files_written", r.files_written},
                            {"seconds", total},
                            {"phases",
                             {{"read_seconds", r.read_seconds},
                              {"render_seconds", r.render_seconds},
                              {"write_seconds", r.write_seconds}}}};
        std::cout << j.dump(2) << "\n";
      } else {
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.3f", total);
        std::cout << "built " << r.destination.string() << ": " << r.posts << " posts, " << r.pages
                  << " pages, " << r.documents << " documents, " << r.static_files
                  << " static files in " << secs << " s\n";
      }
      exit_code = kExitOk;
    } catch (const std::exception& e) {
      print_error(e.what());
      exit_code = kExitFailure;
    }
  });
}

}  // namespace mayfly::cli
