#pragma once
// Each subcommand adds itself to the application; its callback stores the exit code.
#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace mayfly::cli {

void add_build_command(CLI::App& app, int& exit_code);
void add_bundle_command(CLI::App& app, int& exit_code);
void add_new_command(CLI::App& app, int& exit_code);
void add_inspect_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_up_command(CLI::App& app, int& exit_code);
// `run` and `up` share one implementation (cmd_run.cc); up defaults PATH to ".".
void add_vm_command(CLI::App& app, int& exit_code, bool up);
void add_image_command(CLI::App& app, int& exit_code);
// deploy, status, rollback, logs, gc, destroy (cmd_deploy.cc).
void add_deploy_commands(CLI::App& app, int& exit_code);

// Disk images (cmd_image.cc): `mayfly inspect` hands a GPT disk image to inspect_image().
bool is_disk_image_file(const std::string& path);
int inspect_image(const std::string& path, bool json);
// The bundle id inside a disk image; throws std::runtime_error naming any damage.
std::string disk_image_bundle_id(const uint8_t* data, size_t size, const std::string& path);

}  // namespace mayfly::cli
