// mayfly run PATH / mayfly up [SRC]: boot the unikernel with the site in QEMU. The bundle
// goes to a temporary file passed as -initrd (PVH module 0); QEMU's user-mode network
// forwards 127.0.0.1:PORT to the guest's port 80; the serial console streams to stdout; the
// URL is printed once the site answers; Ctrl-C or SIGTERM stops the VM.
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "cli/commands.h"
#include "cli/kernel_path.h"
#include "cli/site_source.h"
#include "cli/term.h"
#include "image/disk_image.h"
#include "image/ovmf.h"

namespace mayfly::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct RunArgs {
  std::string path;
  uint16_t port = 8080;
  std::string memory;  // empty: 64 MiB, or the bundle plus 32 MiB when larger
  std::string accel = "auto";
  std::string machine = "q35";
  std::string kernel;
  std::string append;
  std::string qemu = "qemu-system-x86_64";
  double ready_timeout = 120;
  BundleFlags flags;
};

volatile sig_atomic_t g_stop_signal = 0;
constexpr int kKvmBootSeconds = 5;
void on_stop_signal(int sig) {
  g_stop_signal = sig;
}

// "64M", "1G", "512K", or a bare number of MiB (as QEMU's -m).
uint64_t parse_memory(const std::string& s) {
  if (s.empty()) return 0;
  size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(s, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument("--memory: '" + s + "' is not a size like 64M or 1G");
  }
  std::string suffix = s.substr(used);
  uint64_t mul = 1ull << 20;
  if (suffix == "K" || suffix == "k")
    mul = 1ull << 10;
  else if (suffix == "M" || suffix == "m" || suffix.empty())
    mul = 1ull << 20;
  else if (suffix == "G" || suffix == "g")
    mul = 1ull << 30;
  else
    throw std::invalid_argument("--memory: '" + s + "' is not a size like 64M or 1G");
  return v * mul;
}

bool kvm_usable() {
  int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

// One GET / on 127.0.0.1:port; true when an HTTP/1.1 status line comes back.
bool site_answers(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const char req[] = "HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    if (::send(fd, req, sizeof req - 1, MSG_NOSIGNAL) == ssize_t(sizeof req - 1)) {
      char buf[16];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      ok = n >= 9 && std::memcmp(buf, "HTTP/1.1 ", 9) == 0;
    }
  }
  ::close(fd);
  return ok;
}

struct TempDir {
  std::string path;
  ~TempDir() {
    if (!path.empty()) {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  }
};

// Runs QEMU with argv until it exits or we stop it; streams its console. With
// `watch_for_no_boot`, a guest that prints nothing for kKvmBootSeconds is stopped and
// reported through no_boot so the caller can try the next accelerator.
int boot(const RunArgs& args, const std::vector<std::string>& argv, bool watch_for_no_boot,
         bool& no_boot) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  auto start = Clock::now();
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Its own process group (Ctrl-C reaches only us; we stop it), and it dies with us.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) _exit(1);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    ::execvp(cargv[0], cargv.data());
    std::string msg = "mayfly: cannot run " + args.qemu + ": " + std::strerror(errno) +
                      " (install the qemu-system-x86 package)\n";
    ssize_t ignored = ::write(2, msg.data(), msg.size());
    (void)ignored;
    _exit(127);
  }
  ::close(pipefd[1]);

  bool ready = false, stopping = false, timed_out = false, printed = false;
  std::string seen;
  auto next_probe = Clock::now();
  Clock::time_point stop_deadline{};
  int status = 0;
  bool exited = false;
  char buf[4096];
  for (;;) {
    if (g_stop_signal && !stopping) {
      stopping = true;
      ::kill(pid, SIGTERM);
      stop_deadline = Clock::now() + std::chrono::seconds(10);
    }
    if (stopping && Clock::now() > stop_deadline) ::kill(pid, SIGKILL);
    pollfd p{pipefd[0], POLLIN, 0};
    int n = ::poll(&p, 1, 100);
    if (n > 0) {
      ssize_t r = ::read(pipefd[0], buf, sizeof buf);
      if (r > 0) {
        // The kernel's banner proves the guest runs (QEMU's own warnings do not).
        seen.append(buf, size_t(r));
        if (seen.find("mayfly ") != std::string::npos) printed = true;
        if (seen.size() > 256) seen.erase(0, seen.size() - 16);
        std::cout.write(buf, r);
        std::cout.flush();
      }
    }
    if (!exited) {
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) exited = true;
    }
    if (exited && (n <= 0 || !(p.revents & POLLIN))) break;
    if (watch_for_no_boot && !printed && !stopping && !exited &&
        Clock::now() - start > std::chrono::seconds(kKvmBootSeconds)) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ::close(pipefd[0]);
      no_boot = true;
      return kExitFailure;
    }
    if (!ready && !stopping && !exited && Clock::now() >= next_probe) {
      next_probe = Clock::now() + std::chrono::milliseconds(250);
      if (site_answers(args.port)) {
        ready = true;
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
        print_notice("serving at http://127.0.0.1:" + std::to_string(args.port) + "/ (" +
                     std::to_string(ms.count()) + " ms after QEMU started) — Ctrl-C to stop");
      } else if (Clock::now() - start > std::chrono::duration<double>(args.ready_timeout)) {
        print_error("the site did not answer within " + std::to_string(int(args.ready_timeout)) +
                    " s; stopping the VM");
        timed_out = true;
        g_stop_signal = SIGTERM;
      }
    }
  }
  ::close(pipefd[0]);
  if (stopping && !timed_out) {
    print_notice("stopped");
    return kExitOk;
  }
  if (timed_out) return kExitFailure;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return kExitFailure;
  if (watch_for_no_boot && !printed) {
    no_boot = true;  // QEMU refused this accelerator before the guest said anything
    return kExitFailure;
  }
  print_error("the VM stopped on its own (" +
              std::string(WIFEXITED(status) ? "QEMU exit " + std::to_string(WEXITSTATUS(status))
                                            : "QEMU killed by a signal") +
              "); see the console above");
  return kExitFailure;
}

int run_vm(const RunArgs& args) {
  std::vector<std::string> tried;
  // A disk image (mayfly image) boots through OVMF instead: no kernel or bundle file here.
  const bool disk_image = is_disk_image_file(args.path);
  std::string kernel = disk_image ? "" : find_kernel(args.kernel, tried);
  if (kernel.empty() && !disk_image) {
    std::string where;
    for (const auto& t : tried) where += "\n  " + t;
    print_error("mayfly-kernel not found; looked at:" + where +
                "\nBuild it with 'cmake --build build --target mayfly-kernel' or pass --kernel.");
    return kExitFailure;
  }
  std::vector<std::string> accels;
  if (args.accel == "auto") {
    if (kvm_usable()) accels.push_back("kvm");
    accels.push_back("tcg");  // also the fallback when KVM opens but cannot run the guest
  } else {
    accels.push_back(args.accel);
  }
  if (args.accel == "kvm" && !kvm_usable()) {
    print_error("--accel kvm: /dev/kvm is not usable here (try --accel tcg)");
    return kExitFailure;
  }

  LoadedBundle lb;
  std::string image_bundle_id;
  bool linux_image = false;  // the Linux fallback flavour (docs/image.md)
  if (disk_image) {
    if (args.machine != "q35") throw std::runtime_error("a disk image boots with OVMF on q35 only");
    lb.mapped = hosted::MappedFile::open(args.path);
    image_bundle_id = disk_image_bundle_id(lb.mapped.data(), lb.mapped.size(), args.path);
    image::ImageReport report;
    image::inspect_disk_image(lb.mapped.data(), lb.mapped.size(), report);
    linux_image = report.flavour == "linux";
  } else {
    load_bundle(args.path, args.flags, lb);
  }
  uint64_t memory = parse_memory(args.memory);
  if (memory == 0 && disk_image)  // OVMF and the loader's copies of the files
    memory = std::max<uint64_t>(128ull << 20, lb.mapped.size() + (64ull << 20));
  if (linux_image && args.memory.empty())  // Debian's kernel unpacks the initramfs into RAM
    memory = std::max<uint64_t>(memory, 512ull << 20);
  if (memory == 0) memory = std::max<uint64_t>(64ull << 20, lb.mapped.size() + (32ull << 20));
  if (memory < lb.mapped.size() + (8ull << 20))
    print_warning("--memory " + args.memory + " leaves less than 8 MiB beside the " +
                  human_bytes(lb.mapped.size()) + " bundle; the kernel may run out");

  TempDir tmp;
  char tmpl[] = "/tmp/mayfly-run-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  tmp.path = tmpl;
  std::string initrd = tmp.path + "/site.mfb";
  if (!disk_image) {
    std::ofstream out(initrd, std::ios::binary);
    out.write(reinterpret_cast<const char*>(lb.mapped.data()), std::streamsize(lb.mapped.size()));
    out.close();
    if (!out) throw std::runtime_error(initrd + ": cannot write the bundle");
  }
  char id[33] = {};
  if (disk_image)
    std::snprintf(id, sizeof id, "%s", image_bundle_id.c_str());
  else
    lb.bundle.id_hex(id);

  std::string append = "panic=reboot";
  if (!args.append.empty()) append += " " + args.append;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  for (size_t i = 0; i < accels.size(); ++i) {
    const std::string& accel = accels[i];
    bool can_fall_back = i + 1 < accels.size();
    std::vector<std::string> argv = {
        args.qemu,
        "-M",
        args.machine,
        "-accel",
        accel,
        "-m",
        std::to_string(memory >> 20) + "M",
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-no-reboot",
        "-serial",
        "stdio",
        "-kernel",
        kernel,
        "-initrd",
        initrd,
        "-append",
        append,
        "-netdev",
        "user,id=n0,hostfwd=tcp:127.0.0.1:" + std::to_string(args.port) + "-:80"};
    if (disk_image) {  // -kernel K -initrd B -append A become OVMF and the disk
      auto k = std::find(argv.begin(), argv.end(), "-kernel");
      k = argv.erase(k, k + 6);
      std::vector<std::string> uefi = image::ovmf_qemu_args(args.path, tmp.path);
      argv.insert(k, uefi.begin(), uefi.end());
    }
    if (accel == "kvm") {
      argv.push_back("-cpu");
      argv.push_back("host");
    }
    if (args.machine.rfind("microvm", 0) == 0) {
      argv.insert(argv.end(), {"-global", "virtio-mmio.force-legacy=false", "-device",
                               "virtio-net-device,netdev=n0"});
    } else {
      argv.insert(argv.end(), {"-device", "virtio-net-pci,netdev=n0,romfile="});
    }
    print_notice("booting " + args.path + " (bundle " + std::string(id, 12) + ", " +
                 human_bytes(lb.mapped.size()) + ") in QEMU (" + args.machine + ", " + accel +
                 ", " + std::to_string(memory >> 20) + " MiB)");
    bool no_boot = false;
    int rc = boot(args, argv, can_fall_back, no_boot);
    if (!no_boot) return rc;
    print_warning("KVM opened but the guest printed nothing within " +
                  std::to_string(kKvmBootSeconds) + " s (nested or limited KVM?); trying TCG");
  }
  return kExitFailure;
}
}  // namespace

void add_vm_command(CLI::App& app, int& exit_code, bool up) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd =
      up ? app.add_subcommand("up", "Build a blog, bundle it and boot it in the unikernel (QEMU)")
         : app.add_subcommand("run", "Boot a site in the unikernel under QEMU");
  if (up) {
    args->path = ".";
    cmd->add_option("SRC", args->path, "Blog source (default: the current directory)")
        ->capture_default_str();
  } else {
    cmd->add_option("PATH", args->path,
                    "A bundle (.mfb), a built site directory, or a blog source (built first)")
        ->required();
  }
  cmd->add_option("-p,--port", args->port, "Host port forwarded to the guest's port 80 (127.0.0.1)")
      ->capture_default_str();
  cmd->add_option("-m,--memory", args->memory,
                  "Guest memory, e.g. 64M or 1G (default: 64M, or the bundle plus 32M)");
  cmd->add_option("--accel", args->accel, "auto (KVM when /dev/kvm is usable), kvm or tcg")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "kvm", "tcg"}));
  cmd->add_option("--machine", args->machine, "QEMU machine: q35 (virtio-net-pci) or microvm")
      ->capture_default_str()
      ->check(CLI::IsMember({"q35", "pc", "microvm"}));
  cmd->add_option("--kernel", args->kernel,
                  "The kernel ELF (default: mayfly-kernel next to this binary or in the build)");
  cmd->add_option("--append", args->append,
                  "Extra kernel command line, e.g. 'log=access' or 'ip=10.0.2.15/24,10.0.2.2'");
  cmd->add_option("--qemu", args->qemu, "The QEMU binary")->capture_default_str();
  cmd->add_option("--ready-timeout", args->ready_timeout,
                  "Seconds to wait for the site to answer before giving up")
      ->capture_default_str();
  cmd->add_option("--header", args->flags.headers,
                  "Extra response header when bundling a directory, 'Name: value' (repeatable)");
  cmd->footer(
      "The serial console streams to stdout. Ctrl-C or SIGTERM stops the VM (exit 0); a VM\n"
      "that stops by itself (a kernel panic) exits 1.");
  cmd->callback([args, &exit_code] {
    try {
      exit_code = run_vm(*args);
    } catch (const std::invalid_argument& e) {
      print_error(e.what());
      exit_code = kExitUsage;
    } catch (const std::exception& e) {
      print_error(e.what());
      exit_code = kExitFailure;
    }
  });
}

void add_run_command(CLI::App& app, int& exit_code) {
  add_vm_command(app, exit_code, false);
}

}  // namespace mayfly::cli
