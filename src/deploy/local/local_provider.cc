#include "deploy/local/local_provider.h"

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
  if (forwarder_pid(target) == 0) return {};
  return trimmed(read_text(fs::path(control_dir(target)) / "active"));
}

int LocalProvider::drain(const Target& target, const std::string& instance_ref,
                         std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
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
}

}  // namespace mayfly::deploy::local
