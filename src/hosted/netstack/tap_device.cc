#include "hosted/netstack/tap_device.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mayfly::hosted::netstack {

TapDevice::TapDevice(const std::string& name, net::MacAddress mac) : name_(name), mac_(mac) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    throw std::runtime_error("--tap " + name + ": an interface name has 1 to 15 characters");
  fd_ = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0)
    throw std::runtime_error(std::string("cannot open /dev/net/tun: ") + std::strerror(errno));
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (ioctl(fd_, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    ::close(fd_);
    fd_ = -1;
    std::string why = std::strerror(e);
    if (e == EPERM) why += " (needs CAP_NET_ADMIN, or a TAP created for this user)";
    if (e == EBUSY) why += " (another process has it open)";
    if (e == EINVAL) why += " (is it a TUN device rather than a TAP?)";
    throw std::runtime_error("--tap " + name + ": " + why);
  }
  // No offloads: Linux must hand over frames with complete checksums and no GSO super-
  // frames (this device reads plain frames, without a virtio-net header to describe them).
  ioctl(fd_, TUNSETOFFLOAD, 0);
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s >= 0) {
    ifreq q{};
    std::memcpy(q.ifr_name, name.data(), name.size());
    if (ioctl(s, SIOCGIFMTU, &q) == 0 && q.ifr_mtu > 0) mtu_ = size_t(q.ifr_mtu);
    ::close(s);
  }
}

TapDevice::~TapDevice() {
  if (fd_ >= 0) ::close(fd_);
}

size_t TapDevice::receive(std::span<uint8_t> buffer) {
  // A read into a short buffer would truncate the frame silently: the excess goes into a
  // scratch iovec so that an oversized frame is recognised and dropped whole.
  uint8_t overflow[256];
  iovec iov[2] = {{buffer.data(), buffer.size()}, {overflow, sizeof overflow}};
  for (;;) {
    ssize_t n = ::readv(fd_, iov, 2);
    if (n < 0) {
      if (errno == EINTR) continue;
      return 0;  // EAGAIN: nothing waiting (or the link is gone)
    }
    if (size_t(n) > buffer.size()) continue;  // oversized: dropped, try the next
    return size_t(n);
  }
}

bool TapDevice::transmit(std::span<const uint8_t> frame) {
  for (;;) {
    ssize_t n = ::write(fd_, frame.data(), frame.size());
    if (n >= 0) return true;
    if (errno == EINTR) continue;
    ++tx_refused_;  // EAGAIN (queue full) or EIO (interface down): a lost frame
    return false;
  }
}

}  // namespace mayfly::hosted::netstack
