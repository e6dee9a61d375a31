#pragma once
// A detached QEMU VM running mayfly's kernel with one bundle: it outlives the command
// that started it (QEMU's -daemonize, a pidfile), its console goes to a file, and it is
// reached either through a loopback port forwarded to its port 80 (QEMU user networking)
// or, in nat mode, at its own address on a TAP that QEMU creates. Hosted code (Linux).
#include <chrono>
#include <string>
#include <vector>

namespace mayfly::deploy::local {

struct VmSpec {
  std::string directory;  // holds pid, console.log; must exist
  std::string kernel_path;
  std::string bundle_path;
  uint64_t memory_mib = 64;
  uint16_t host_port = 0;  // 127.0.0.1:host_port -> guest port 80 (user networking)
  // nat mode: the TAP QEMU creates for the VM (it goes away with QEMU) and the VM's MAC;
  // the address is then on the command line. Empty: user networking.
  std::string tap;
  std::string mac;
  // QEMU's user network: the guest is 10.0.2.15, the gateway 10.0.2.2. A panic reboots,
  // and -no-reboot turns that into QEMU exiting, so a dead kernel is a dead process.
  std::string accel;  // "kvm", "tcg"; empty: best_accelerator()
  std::string cmdline = "ip=10.0.2.15/24,10.0.2.2 port=80 panic=reboot";
};

// Starts the VM; throws std::runtime_error with QEMU's own message when it refuses.
// Returns the VM's pid. With KVM chosen automatically, a guest that prints nothing on its
// console within a few seconds is restarted under TCG: some hosts offer /dev/kvm but
// cannot run guests.
int start_vm(const VmSpec& spec);

// The VM of DIR: the pid in DIR/pid if that process is alive and is DIR's QEMU, else any
// QEMU process started for DIR (one still starting has written no pidfile); 0 if none.
int vm_pid(const std::string& directory);
// Every process that is DIR's QEMU (a daemonizing QEMU is briefly two).
std::vector<int> vm_pids(const std::string& directory);
bool is_vm_of(int pid, const std::string& directory);

// SIGTERM, then SIGKILL after `grace`. Returns when the process is gone.
void stop_vm(int pid, std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

// A free TCP port on 127.0.0.1 (bound and released; QEMU binds it right after).
uint16_t free_loopback_port();

// "kvm" when /dev/kvm can be opened read-write, else "tcg".
std::string best_accelerator();

}  // namespace mayfly::deploy::local
