#include "deploy/local/local_provider.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "deploy/http_client.h"
#include "deploy/local/bridge_network.h"
#include "deploy/local/command.h"
#include "deploy/local/conntrack.h"
#include "deploy/local/nat_address.h"
#include "deploy/local/socket_address.h"
#include "deploy/local/text_file.h"
#include "deploy/local/vm.h"

namespace mayfly::deploy::local {
namespace fs = std::filesystem;
namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string tail(const std::string& text, size_t max_bytes) {
  return text.size() <= max_bytes ? text : text.substr(text.size() - max_bytes);
}

// The host of an instance's url ("http://10.213.7.2:80" -> "10.213.7.2").
std::string url_host(const std::string& url) {
  size_t start = url.find("//");
  start = start == std::string::npos ? 0 : start + 2;
  size_t end = url.find_first_of(":/", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The stable address split for a DNAT match. The mode was chosen with a good address, but
// a later --address may name another: loopback would pass the switch and reach nothing.
std::pair<std::string, unsigned> split_address(const std::string& address) {
  sockaddr_in parsed{};
  if (!parse_socket_address(address, parsed)) {
    throw ProviderError("the address " + address + " is not IPv4 HOST:PORT");
  }
  if ((ntohl(parsed.sin_addr.s_addr) >> 24) == 127) {
    throw ProviderError(
        "this target runs with network = nat, which cannot serve the loopback "
        "address " +
        address);
  }
  char host[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &parsed.sin_addr, host, sizeof host);
  return {host, ntohs(parsed.sin_port)};
}

}  // namespace

LocalProvider::LocalProvider(LocalSettings settings) : settings_(std::move(settings)) {
  for (const char* sub : {"images", "instances", "logs"}) {
    fs::create_directories(fs::path(settings_.state_dir) / sub);
  }
}

std::string LocalProvider::instance_dir(const std::string& ref) const {
  return (fs::absolute(settings_.state_dir) / "instances" / ref).string();
}

std::string LocalProvider::control_dir(const Target& target) const {
  return (fs::absolute(settings_.state_dir) / ("address-" + target.name)).string();
}

std::string LocalProvider::create_image(const ImageInput& input) {
  if (!fs::exists(settings_.kernel_path)) {
    throw ProviderError("mayfly's kernel is not at " + settings_.kernel_path);
  }
  // Named by the state's record, so a step repeated after an interruption finds its image.
  std::string ref = "img-" + input.bundle_id.substr(0, 16) + "-" + std::to_string(input.image_id) +
                    "-" + std::to_string(input.created);
  if (fs::exists(fs::path(settings_.state_dir) / "images" / ref / "bundle.mfb")) return ref;
  fs::path staging = fs::path(settings_.state_dir) / "images" / (ref + ".tmp");
  fs::remove_all(staging);
  fs::create_directories(staging);
  fs::copy_file(settings_.kernel_path, staging / "kernel");
  fs::copy_file(input.bundle_path, staging / "bundle.mfb");
  fs::rename(staging, fs::path(settings_.state_dir) / "images" / ref);
  return ref;
}

void LocalProvider::delete_image(const std::string& image_ref) {
  std::error_code ignored;
  fs::remove_all(fs::path(settings_.state_dir) / "images" / image_ref, ignored);
}

ProviderInstance LocalProvider::create_instance(const std::string& image_ref,
                                                const InstanceSpec& spec) {
  fs::path image = fs::absolute(settings_.state_dir) / "images" / image_ref;
  if (!fs::exists(image / "kernel")) throw ProviderError("image " + image_ref + " is gone");
  std::string ref = spec.target + "-i" + std::to_string(spec.instance_id);
  std::string dir = instance_dir(ref);
  if (int pid = vm_pid(dir)) stop_vm(pid);  // a half-made earlier attempt of this record
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_text_atomic((fs::path(dir) / "meta").string(),
                    spec.target + "\n" + std::to_string(spec.instance_id) + "\n");
  if (NetworkRecord net = settle_network(spec.target); net.mode == NetworkMode::nat) {
    return create_nat_instance(net.network, ref, image.string(), spec);
  }
  VmSpec vm;
  vm.directory = dir;
  vm.kernel_path = (image / "kernel").string();
  vm.bundle_path = (image / "bundle.mfb").string();
  vm.memory_mib = spec.memory_mib;
  vm.host_port = free_loopback_port();
  // MAYFLY_ACCEL=tcg|kvm skips the automatic choice (and its KVM probe).
  if (const char* accel = std::getenv("MAYFLY_ACCEL"); accel && *accel) vm.accel = accel;
  write_text_atomic((fs::path(dir) / "port").string(), std::to_string(vm.host_port) + "\n");
  try {
    start_vm(vm);
  } catch (const std::exception& error) {
    throw ProviderError(error.what(), console(ref, 4096));
  }
  return {ref, "http://127.0.0.1:" + std::to_string(vm.host_port)};
}

std::string LocalProvider::network_record_path(const std::string& target) const {
  return (fs::absolute(settings_.state_dir) / ("network-" + target)).string();
}

NetworkRecord LocalProvider::network_of(const std::string& target) const {
  return read_network_record(network_record_path(target)).value_or(NetworkRecord{});
}

std::string LocalProvider::network_mode(const std::string& target) const {
  return mode_name(network_of(target).mode);
}

NetworkRecord LocalProvider::settle_network(const std::string& target) {
  const std::string path = network_record_path(target);
  std::optional<NetworkRecord> record = read_network_record(path);
  if (!record) {
    record.emplace();
    // A target already served by a forwarder (it predates nat, or chose it) keeps it: the
    // mode changes only through `mayfly destroy`.
    Target probe;
    probe.name = target;
    bool forwarding = forwarder_pid(probe) != 0 || !list_instances(target).empty();
    if (forwarding && settings_.network == "nat") {
      throw ProviderError("target '" + target +
                          "' is served by the forwarder; `mayfly destroy` it to change that");
    }
    record->mode = forwarding ? NetworkMode::forwarder
                              : choose_network_mode(settings_.network, settings_.address);
    if (record->mode == NetworkMode::nat) {
      record->network.id = network_id(settings_.state_dir, target);
      record->network.subnet = choose_subnet(record->network.id);
    }
    write_network_record(path, *record);
  } else if (settings_.network != "auto" && settings_.network != mode_name(record->mode)) {
    throw ProviderError("target '" + target + "' runs with network = " + mode_name(record->mode) +
                        "; `mayfly destroy` it to change that");
  }
  if (record->mode == NetworkMode::nat) ensure_bridge(record->network);
  return *record;
}

int LocalProvider::free_host_number(const std::string& target) const {
  // .1 is the bridge; a number is taken while an instance of the target holds it.
  std::vector<bool> taken(256, false);
  std::error_code error;
  for (const auto& entry :
       fs::directory_iterator(fs::path(settings_.state_dir) / "instances", error)) {
    std::istringstream meta(read_text(entry.path() / "meta"));
    std::string owner;
    if (!(meta >> owner) || owner != target) continue;
    std::string address = trimmed(read_text(entry.path() / "address"));
    size_t dot = address.rfind('.');
    if (dot != std::string::npos) taken[std::stoi(address.substr(dot + 1)) & 255] = true;
  }
  for (int number = 2; number < 255; ++number) {
    if (!taken[number]) return number;
  }
  throw ProviderError("no free address left on the network of target '" + target + "'");
}

ProviderInstance LocalProvider::create_nat_instance(const BridgeNetwork& network,
                                                    const std::string& ref,
                                                    const std::string& image_dir,
                                                    const InstanceSpec& spec) {
  const std::string dir = instance_dir(ref);
  const int number = free_host_number(spec.target);
  const std::string address = network.host(number);
  VmSpec vm;
  vm.directory = dir;
  vm.kernel_path = image_dir + "/kernel";
  vm.bundle_path = image_dir + "/bundle.mfb";
  vm.memory_mib = spec.memory_mib;
  vm.tap = network.tap(spec.instance_id);
  vm.mac = mac_for(network, number);
  vm.cmdline = "ip=" + address + "/24," + network.gateway() + " port=80 panic=reboot";
  if (const char* accel = std::getenv("MAYFLY_ACCEL"); accel && *accel) vm.accel = accel;
  // Written before the VM starts, so a crash right after still holds the address.
  write_text_atomic((fs::path(dir) / "address").string(), address + "\n");
  // A TAP of this name left by a VM of an earlier attempt would make QEMU fail.
  if (fs::exists("/sys/class/net/" + vm.tap)) run_command({"ip", "link", "del", vm.tap});
  try {
    start_vm(vm);
    attach_tap(network, vm.tap);
  } catch (const std::exception& error) {
    throw ProviderError(error.what(), console(ref, 4096));
  }
  return {ref, "http://" + address + ":80"};
}

void LocalProvider::wait_booted(const ProviderInstance& instance, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpTimeouts timeouts;
  timeouts.connect = std::chrono::milliseconds(1000);
  timeouts.total = std::chrono::milliseconds(2000);
  HttpClient client(timeouts);
  for (;;) {
    if (!is_alive(instance.ref)) {
      throw ProviderError("the VM of " + instance.ref + " stopped while booting",
                          console(instance.ref, 4096));
    }
    try {
      HttpRequest request;
      request.method = "HEAD";
      request.url = instance.url + "/";
      client.send(request);
      return;  // any HTTP answer: the kernel is up and serving
    } catch (const TransportError&) {
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw ProviderError("the VM of " + instance.ref + " did not answer HTTP within " +
                              std::to_string(timeout.count()) + " s",
                          console(instance.ref, 4096));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

void LocalProvider::terminate(const std::string& instance_ref) {
  std::string dir = instance_dir(instance_ref);
  for (int pid : vm_pids(dir)) stop_vm(pid);
  if (fs::exists(fs::path(dir) / "console.log")) {
    std::error_code ignored;
    fs::rename(fs::path(dir) / "console.log",
               fs::path(settings_.state_dir) / "logs" / (instance_ref + ".log"), ignored);
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

bool LocalProvider::is_alive(const std::string& instance_ref) {
  return vm_pid(instance_dir(instance_ref)) != 0;
}

std::vector<ListedInstance> LocalProvider::list_instances(const std::string& target) {
  std::vector<ListedInstance> out;
  std::error_code error;
  for (const auto& entry :
       fs::directory_iterator(fs::path(settings_.state_dir) / "instances", error)) {
    std::istringstream meta(read_text(entry.path() / "meta"));
    std::string owner;
    int64_t id = 0;
    if (!(meta >> owner >> id) || owner != target) continue;
    if (vm_pid(fs::absolute(entry.path()).string()) == 0) continue;
    out.push_back({entry.path().filename().string(), id});
  }
  return out;
}

std::string LocalProvider::console(const std::string& instance_ref, size_t max_bytes) {
  fs::path live = fs::path(instance_dir(instance_ref)) / "console.log";
  fs::path kept = fs::path(settings_.state_dir) / "logs" / (instance_ref + ".log");
  std::string text = read_text(fs::exists(live) ? live : kept);
  std::string qemu = read_text(fs::path(instance_dir(instance_ref)) / "qemu.log");
  return tail(text + qemu, max_bytes);
}

int LocalProvider::forwarder_pid(const Target& target) const {
  std::ifstream in(control_dir(target) + "/pid");
  int pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  std::string cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  return cmdline.find("__forwarder") != std::string::npos &&
                 cmdline.find(control_dir(target)) != std::string::npos
             ? pid
             : 0;
}

int LocalProvider::start_forwarder(const Target& target) {
  const std::string dir = control_dir(target);
  fs::create_directories(dir);
  std::error_code ignored;
  fs::remove(dir + "/pid", ignored);
  fs::remove(dir + "/active", ignored);
  const std::string log = dir + "/forwarder.log";
  pid_t child = fork();
  if (child < 0) throw ProviderError(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    // Detach twice so the forwarder outlives this command and is nobody's child.
    setsid();
    if (fork() != 0) _exit(0);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out >= 0) {
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
    }
    if (null >= 0) dup2(null, STDIN_FILENO);
    execl(settings_.mayfly_exe.c_str(), settings_.mayfly_exe.c_str(), "__forwarder", "--listen",
          target.address.c_str(), "--control", dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(dir + "/active")) {
      if (int pid = forwarder_pid(target)) return pid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw ProviderError("the address forwarder for " + target.address +
                      " did not start: " + trimmed(read_text(log)));
}

void LocalProvider::switch_address(const Target& target, const ProviderInstance& to) {
  if (NetworkRecord net = network_of(target.name); net.mode == NetworkMode::nat) {
    auto [host, port] = split_address(target.address);
    nft_point(net.network.nft_table(), host, port, url_host(to.url), to.ref);
    if (address_points_to(target) != to.ref) {
      throw ProviderError("nft took the switch to " + to.ref + " but does not show it");
    }
    return;
  }
  int pid = forwarder_pid(target);
  if (pid == 0) pid = start_forwarder(target);
  std::string port = to.url.substr(to.url.rfind(':') + 1);
  write_text_atomic((fs::path(control_dir(target)) / "backend").string(),
                    "127.0.0.1:" + port + " " + to.ref + "\n");
  kill(pid, SIGHUP);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (address_points_to(target) != to.ref) {
    if (std::chrono::steady_clock::now() >= deadline) {
      throw ProviderError("the address forwarder did not take the switch to " + to.ref);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string LocalProvider::address_points_to(const Target& target) {
  if (NetworkRecord net = network_of(target.name); net.mode == NetworkMode::nat) {
    return nft_points_to(net.network.nft_table());
  }
  if (forwarder_pid(target) == 0) return {};
  return trimmed(read_text(fs::path(control_dir(target)) / "active"));
}

int LocalProvider::drain(const Target& target, const std::string& instance_ref,
                         std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (NetworkRecord net = network_of(target.name); net.mode == NetworkMode::nat) {
    // Established flows keep their DNAT in conntrack: drained when none is left.
    std::string backend = trimmed(read_text(fs::path(instance_dir(instance_ref)) / "address"));
    if (backend.empty()) return 0;  // the instance is gone already
    auto [host, port] = split_address(target.address);
    for (;;) {
      int open = count_flows(read_conntrack_table(), host, port, backend);
      if (open == 0 || std::chrono::steady_clock::now() >= deadline) return open;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  for (;;) {
    int open = 0;
    std::istringstream counts(read_text(fs::path(control_dir(target)) / "connections"));
    std::string ref;
    int count = 0;
    while (counts >> ref >> count) {
      if (ref == instance_ref) open = count;
    }
    if (open == 0 || std::chrono::steady_clock::now() >= deadline) return open;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void LocalProvider::release_address(const Target& target) {
  if (int pid = forwarder_pid(target)) {
    kill(pid, SIGTERM);
    for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::error_code ignored;
  fs::remove_all(control_dir(target), ignored);
  if (NetworkRecord net = network_of(target.name); net.mode == NetworkMode::nat) {
    // The instances are terminated by now, so their TAPs went with their QEMUs; anything
    // of the network that is left (a crash mid-create) goes with the bridge.
    nft_delete_table(net.network.nft_table());
    remove_bridge_network(net.network);
  }
  fs::remove(network_record_path(target.name), ignored);
}

}  // namespace mayfly::deploy::local
