#pragma once
// Each subcommand adds itself to the application; its callback stores the exit code.
#include <CLI/CLI.hpp>

namespace mayfly::cli {

void add_build_command(CLI::App& app, int& exit_code);
void add_bundle_command(CLI::App& app, int& exit_code);
void add_new_command(CLI::App& app, int& exit_code);
void add_inspect_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace mayfly::cli
