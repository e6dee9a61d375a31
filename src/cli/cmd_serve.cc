// mayfly serve PATH: the hosted HTTP engine on Linux sockets.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/site_source.h"
#include "cli/term.h"
#include "cli/watch.h"
#include "hosted/netstack/user_stack.h"
#include "hosted/server.h"

namespace mayfly::cli {
namespace {

int open_log(const std::string& spec) {
  if (spec == "off") return -1;
  if (spec == "-") return 1;
  int fd = ::open(spec.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(spec + ": cannot open access log: " + std::strerror(errno));
  return fd;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string path;
    hosted::ServerOptions server;
    std::string access_log = "-";
    BundleFlags flags;
    bool watch = false;
    hosted::netstack::UserStackOptions user;  // --stack user: src/net over a TAP device
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve a site or bundle over HTTP on this machine");
  cmd->add_option("PATH", args->path,
                  "A bundle (.mfb), a built site directory, or a blog source (built first)")
      ->required();
  cmd->add_option("-p,--port", args->server.port, "TCP port")->capture_default_str();
  cmd->add_option("-b,--bind", args->server.bind, "Address to listen on (0.0.0.0 or :: for all)")
      ->capture_default_str();
  cmd->add_option("-t,--threads", args->server.threads, "Event loops (default: one per core)");
  cmd->add_option("--max-connections", args->server.max_connections,
                  "Open connections at most, across all threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--access-log", args->access_log, "Access log: a file, '-' for stdout, or 'off'")
      ->capture_default_str();
  cmd->add_option("--header-timeout", args->server.header_timeout_ms,
                  "Milliseconds a client may take to send a request head")
      ->capture_default_str();
  cmd->add_option("--idle-timeout", args->server.idle_timeout_ms,
                  "Milliseconds an idle keep-alive connection stays open")
      ->capture_default_str();
  cmd->add_option("--header", args->flags.headers,
                  "Extra response header when PATH is a directory, 'Name: value' (repeatable)");
  // The user-space stack (src/hosted/netstack): the unikernel's network code on Linux.
  auto& u = args->user;
  cmd->add_option("--stack", u.stack, "Network stack: linux (sockets) or user (mayfly's own)")
      ->capture_default_str();
  cmd->add_option("--tap", u.tap, "With --stack user: the TAP interface to run on");
  cmd->add_flag("--dhcp", u.dhcp, "With --stack user: get an address by DHCP");
  cmd->add_option("--ip", u.ip, "With --stack user: static address, ADDR/PREFIX");
  cmd->add_option("--gw", u.gw, "With --stack user and --ip: the default gateway");
  cmd->add_option("--mac", u.mac, "With --stack user: our MAC (default: random, local)");
  cmd->add_option("--pcap", u.pcap, "With --stack user: record every frame to this pcap file");
  cmd->add_option("--faults", u.faults,
                  "With --stack user: inject faults, e.g. loss=5,reorder=25,dup=5,"
                  "delay=20ms~10ms,corrupt=1");
  cmd->add_flag("-w,--watch", args->watch,
                "For a blog source: rebuild on change and reload open pages (cli/watch.h)");
  cmd->footer("SIGINT or SIGTERM stops accepting, finishes responses in flight and exits 0.");
  cmd->callback([args, &exit_code] {
    if (auto err = hosted::netstack::check_user_stack_options(args->user)) {
      print_error(*err);
      exit_code = kExitUsage;
      return;
    }
    try {
      args->server.access_log_fd = open_log(args->access_log);
      if (args->watch) {
        if (!is_blog_source(args->path)) {
          print_error(args->path + ": --watch needs a blog source (a folder with _config.yml)");
          exit_code = kExitUsage;
          return;
        }
        exit_code = serve_watch(args->path, args->flags, args->server);
        return;
      }
      LoadedBundle lb;
      load_bundle(args->path, args->flags, lb);
      if (args->user.stack == "user") {
        exit_code = hosted::netstack::run_user_stack(lb.bundle, args->user, args->server,
                                                     [](const std::string& m) { print_notice(m); });
        return;
      }

      // Signals go to one thread that waits for them; the event loops never see them.
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
      signal(SIGPIPE, SIG_IGN);

      args->server.bundle_fd = lb.mapped.fd();
      hosted::Server server(lb.bundle, args->server);
      server.listen();
      char id[33];
      lb.bundle.id_hex(id);
      std::string host = args->server.bind.find(':') != std::string::npos
                             ? "[" + args->server.bind + "]"
                             : args->server.bind;
      if (host == "0.0.0.0" || host == "[::]") host = "localhost";
      print_notice("serving " + args->path + " (bundle " + std::string(id, 12) + ", " +
                   std::to_string(lb.bundle.entry_count()) + " entries) at http://" + host + ":" +
                   std::to_string(server.port()) + "/ — Ctrl-C to stop");
      std::thread waiter([&server, set] {
        int sig = 0;
        sigwait(&set, &sig);
        server.stop();
      });
      server.run();
      // The waiter may still be blocked if the loops ended on their own; wake it.
      pthread_kill(waiter.native_handle(), SIGTERM);
      waiter.join();
      print_notice("stopped");
      exit_code = kExitOk;
    } catch (const std::exception& e) {
      print_error(e.what());
      exit_code = kExitFailure;
    }
  });
}

}  // namespace mayfly::cli
