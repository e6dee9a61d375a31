// mayfly-init: PID 1 of the Linux fallback flavour (`mayfly image --kernel linux`,
// docs/image.md). From the initramfs mayfly wrote: mount the kernel's file systems, load
// the network modules, configure the first Ethernet interface from the unikernel's command
// line words, and serve /site.mfb with the same server as `mayfly serve`.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bundle/reader.h"
#include "core/version.h"
#include "hosted/mapped_file.h"
#include "hosted/server.h"
#include "init/cmdline.h"
#include "init/console.h"
#include "init/dhcp.h"
#include "init/modules.h"
#include "init/netconfig.h"

namespace mi = mayfly::init;

namespace {

constexpr const char* kBundlePath = "/site.mfb";
constexpr const char* kModuleList = "/lib/modules/load.txt";

void mount_or_die(const char* source, const char* target, const char* type) {
  ::mkdir(target, 0755);
  if (::mount(source, target, type, MS_NOSUID | MS_NOEXEC, nullptr) != 0 && errno != EBUSY)
    mi::fatal(std::string("mount ") + type + " on " + target + ": " + std::strerror(errno));
}

// The kernel opens /dev/console (a node in our cpio) as fds 0-2 before running /init;
// should that have failed, open it once devtmpfs is mounted.
void ensure_console() {
  if (::fcntl(2, F_GETFD) >= 0) return;
  int fd = ::open("/dev/console", O_RDWR | O_NOCTTY);
  if (fd < 0) return;
  for (int i = 0; i < 3; ++i)
    if (fd != i) ::dup2(fd, i);
  if (fd > 2) ::close(fd);
}

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string t = s.str();
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

double seconds_since_boot() {
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::string fixed1(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

}  // namespace

int main() {
  mount_or_die("devtmpfs", "/dev", "devtmpfs");
  ensure_console();
  mount_or_die("proc", "/proc", "proc");
  mount_or_die("sysfs", "/sys", "sysfs");
  mi::say(std::string("mayfly ") + MAYFLY_VERSION + " (Linux fallback flavour), PID " +
          std::to_string(::getpid()));

  mi::InitConfig cfg;
  std::string cmdline = read_text("/proc/cmdline");
  mi::say("command line: " + cmdline);
  std::string bad = mi::parse_cmdline(cmdline, cfg);
  mi::set_reboot_on_fatal(cfg.reboot_on_panic);
  if (!bad.empty()) mi::fatal("bad command line word: " + bad);

  // The bundle first: a corrupt one is reported before any waiting on the network.
  mayfly::hosted::MappedFile mapped;
  try {
    mapped = mayfly::hosted::MappedFile::open(kBundlePath);
  } catch (const std::exception& e) {
    mi::fatal(std::string(kBundlePath) + ": " + e.what());
  }
  mayfly::bundle::Bundle bundle;
  if (auto e = bundle.open(mapped.data(), mapped.size()); e != mayfly::bundle::Error::None)
    mi::fatal(std::string(kBundlePath) + ": " + mayfly::bundle::describe(e));
  char id[33];
  bundle.id_hex(id);
  mi::say("bundle " + std::string(id) + ", " + std::to_string(bundle.entry_count()) + " entries");

  int loaded = mi::load_modules(kModuleList);
  mi::say(std::to_string(loaded) + " modules loaded");
  std::string ifname = mi::find_ethernet(15000);
  if (ifname.empty()) mi::fatal("no Ethernet interface appeared within 15 s");
  if (std::string e = mi::link_up(ifname); !e.empty()) mi::fatal(ifname + ": " + e);

  mi::StaticIp ip;
  if (cfg.static_ip) {
    ip = *cfg.static_ip;
  } else {
    mi::say(ifname + ": DHCP");
    if (std::string e = mi::dhcp_configure(ifname, ip); !e.empty()) mi::fatal(e);
  }
  if (std::string e = mi::set_address(ifname, ip.address, ip.prefix); !e.empty())
    mi::fatal(ifname + ": " + e);
  if (ip.gateway != 0)
    if (std::string e = mi::add_default_route(ip.gateway); !e.empty())
      mi::fatal("default route via " + mi::dotted(ip.gateway) + ": " + e);
  mi::say(ifname + ": " + mi::dotted(ip.address) + "/" + std::to_string(ip.prefix) +
          (ip.gateway ? " via " + mi::dotted(ip.gateway) : std::string()));

  ::signal(SIGPIPE, SIG_IGN);
  mayfly::hosted::ServerOptions opts;
  opts.bind = "0.0.0.0";
  opts.port = cfg.port;
  opts.access_log_fd = cfg.access_log ? 1 : -1;
  opts.bundle_fd = mapped.fd();
  try {
    mayfly::hosted::Server server(bundle, opts);
    server.listen();
    mi::say("serving on http://" + mi::dotted(ip.address) + ":" + std::to_string(server.port()) +
            "/ (" + fixed1(seconds_since_boot()) + " s after kernel start)");
    server.run();
  } catch (const std::exception& e) {
    mi::fatal(e.what());
  }
  mi::fatal("the server stopped");
}
