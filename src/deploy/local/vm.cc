#include "deploy/local/vm.h"

#include "deploy/local/text_file.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mayfly::deploy::local {

// A process that has exited but is not yet reaped (a zombie: QEMU daemonized, so its parent
// is init) still answers kill(pid, 0); it is gone all the same.
static bool process_exists(int pid) {
  if (kill(pid, 0) != 0 && errno != EPERM) return false;
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  size_t close_paren = stat.rfind(')');
  return close_paren == std::string::npos || close_paren + 2 >= stat.size() ||
         stat[close_paren + 2] != 'Z';
}

std::string best_accelerator() {
  int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return "tcg";
  ::close(fd);
  return "kvm";
}

uint16_t free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error(std::string("no free loopback port: ") + std::strerror(errno));
  }
  close(fd);
  return ntohs(address.sin_port);
}

static int start_vm_with(const VmSpec& spec, const std::string& accel);

int start_vm(const VmSpec& spec) {
  if (!spec.accel.empty()) return start_vm_with(spec, spec.accel);
  std::string accel = best_accelerator();
  int pid = start_vm_with(spec, accel);
  if (accel != "kvm") return pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!read_text(spec.directory + "/console.log").empty()) return pid;
    if (vm_pid(spec.directory) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop_vm(pid);
  return start_vm_with(spec, "tcg");
}

static int start_vm_with(const VmSpec& spec, const std::string& accel) {
  const std::string pidfile = spec.directory + "/pid";
  const std::string console = spec.directory + "/console.log";
  std::vector<std::string> args = {
      "qemu-system-x86_64",
      "-M",
      "q35",
      "-accel",
      accel,
      "-cpu",
      "max",
      "-nodefaults",
      "-no-user-config",
      "-m",
      std::to_string(spec.memory_mib) + "M",
      "-kernel",
      spec.kernel_path,
      "-initrd",
      spec.bundle_path,
      "-append",
      spec.cmdline,
      "-netdev",
      spec.tap.empty()
          ? "user,id=net0,hostfwd=tcp:127.0.0.1:" + std::to_string(spec.host_port) + "-:80"
          // script=no: mayfly itself enslaves the TAP to its bridge once QEMU made it.
          : "tap,id=net0,ifname=" + spec.tap + ",script=no,downscript=no",
      "-device",
      "virtio-net-pci,netdev=net0,romfile=" + (spec.mac.empty() ? "" : ",mac=" + spec.mac),
      "-display",
      "none",
      "-monitor",
      "none",
      "-serial",
      "file:" + console,
      "-no-reboot",
      "-daemonize",
      "-pidfile",
      pidfile};
  const std::string errors = spec.directory + "/qemu.log";
  pid_t child = fork();
  if (child < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    int log = ::open(errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    if (null >= 0) dup2(null, STDIN_FILENO);
    setsid();
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  // With -daemonize the first process exits once the VM is set up (or failed to be).
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string message = read_text(errors);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
      message = "qemu-system-x86_64 is not installed (Debian: qemu-system-x86)";
    }
    throw std::runtime_error("QEMU did not start: " + message);
  }
  int pid = vm_pid(spec.directory);
  if (pid == 0) throw std::runtime_error("QEMU started but wrote no pidfile in " + spec.directory);
  return pid;
}

int vm_pid(const std::string& directory) {
  std::ifstream in(directory + "/pid");
  int pid = 0;
  if ((in >> pid) && pid > 0 && is_vm_of(pid, directory)) return pid;
  // No pidfile yet (QEMU still starting, or its starter was killed): look for the process.
  std::vector<int> all = vm_pids(directory);
  return all.empty() ? 0 : all.front();
}

bool is_vm_of(int pid, const std::string& directory) {
  if (!process_exists(pid)) return false;
  // The pid may have been reused since: it must be the QEMU of this directory.
  std::string cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  std::string pidfile_argument = std::string("-pidfile") + '\0' + directory + "/pid";
  return cmdline.find(pidfile_argument) != std::string::npos;
}

std::vector<int> vm_pids(const std::string& directory) {
  std::vector<int> pids;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    int pid = std::stoi(name);
    if (pid != getpid() && is_vm_of(pid, directory)) pids.push_back(pid);
  }
  return pids;
}

void stop_vm(int pid, std::chrono::milliseconds grace) {
  if (pid <= 0 || kill(pid, SIGTERM) != 0) return;
  // QEMU daemonized, so it is not our child: poll until it is gone, SIGKILL after `grace`,
  // and give up five seconds after that (a process stuck in the kernel cannot be helped).
  const auto started = std::chrono::steady_clock::now();
  bool killed = false;
  while (process_exists(pid)) {
    auto waited = std::chrono::steady_clock::now() - started;
    if (!killed && waited >= grace) {
      kill(pid, SIGKILL);
      killed = true;
    }
    if (waited >= grace + std::chrono::seconds(5)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace mayfly::deploy::local
