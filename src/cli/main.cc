// mayfly: a blog from Markdown to a sealed unikernel web server.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/term.h"
#include "core/version.h"

int main(int argc, char** argv) {
  using namespace mayfly::cli;
  CLI::App app{"mayfly — a blog from Markdown to a sealed unikernel web server", "mayfly"};
  app.set_version_flag("-V,--version", "mayfly " MAYFLY_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  app.footer(
      "Run 'mayfly COMMAND --help' for a command's options.\n"
      "Exit codes: 0 success, 1 the work failed, 2 the command line is wrong.");
  int exit_code = kExitOk;
  add_new_command(app, exit_code);
  add_build_command(app, exit_code);
  add_bundle_command(app, exit_code);
  add_inspect_command(app, exit_code);
  add_serve_command(app, exit_code);
  add_run_command(app, exit_code);
  add_up_command(app, exit_code);
  add_image_command(app, exit_code);
  add_deploy_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    std::cerr << "Run 'mayfly --help' for usage.\n";
    return kExitUsage;
  }
  return exit_code;
}
