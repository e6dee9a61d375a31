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
namespace {

// struct virtio_net_hdr (virtio spec §5.1.6; <linux/virtio_net.h> does not compile as
// C++): 10 bytes in the host's byte order, as a TAP without TUNSETVNETLE expects on x86.
struct virtio_net_hdr {
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len;
  uint16_t gso_size;
  uint16_t csum_start;
  uint16_t csum_offset;
};
static_assert(sizeof(virtio_net_hdr) == 10);
constexpr uint8_t VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
constexpr uint8_t VIRTIO_NET_HDR_GSO_TCPV4 = 1;

}  // namespace

TapDevice::TapDevice(const std::string& name, net::MacAddress mac) : name_(name), mac_(mac) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    throw std::runtime_error("--tap " + name + ": an interface name has 1 to 15 characters");
  fd_ = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0)
    throw std::runtime_error(std::string("cannot open /dev/net/tun: ") + std::strerror(errno));
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
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
  // No offloads towards us: Linux must hand over frames with complete checksums and no GSO
  // super-frames (the stack verifies every checksum).
  ioctl(fd_, TUNSETOFFLOAD, 0);
  int hdr = sizeof(virtio_net_hdr);
  ioctl(fd_, TUNSETVNETHDRSZ, &hdr);
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
  virtio_net_hdr hdr;
  iovec iov[3] = {{&hdr, sizeof hdr}, {buffer.data(), buffer.size()}, {overflow, sizeof overflow}};
  for (;;) {
    ssize_t n = ::readv(fd_, iov, 3);
    if (n < 0) {
      if (errno == EINTR) continue;
      return 0;  // EAGAIN: nothing waiting (or the link is gone)
    }
    if (size_t(n) < sizeof hdr) continue;
    size_t len = size_t(n) - sizeof hdr;
    if (len > buffer.size()) continue;  // oversized: dropped, try the next
    return len;
  }
}

namespace {

bool write_frame(int fd, const virtio_net_hdr& hdr, std::span<const uint8_t> frame) {
  iovec iov[2] = {{const_cast<virtio_net_hdr*>(&hdr), sizeof hdr},
                  {const_cast<uint8_t*>(frame.data()), frame.size()}};
  for (;;) {
    ssize_t n = ::writev(fd, iov, 2);
    if (n >= 0) return true;
    if (errno != EINTR) return false;  // EAGAIN (queue full) or EIO (down): a lost frame
  }
}

}  // namespace

bool TapDevice::transmit(std::span<const uint8_t> frame) {
  virtio_net_hdr hdr{};  // VIRTIO_NET_HDR_GSO_NONE, checksums complete
  if (write_frame(fd_, hdr, frame)) return true;
  ++tx_refused_;
  return false;
}

bool TapDevice::transmit_tso(std::span<const uint8_t> frame, uint16_t mss) {
  // Ethernet (14) + IPv4 without options (20), then the TCP header whose data offset says
  // where the payload starts.
  constexpr size_t kL3 = 14, kL4 = 34;
  if (frame.size() < kL4 + 20) return false;
  size_t tcp_hlen = size_t(frame[kL4 + 12] >> 4) * 4;
  virtio_net_hdr hdr{};
  hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
  hdr.hdr_len = uint16_t(kL4 + tcp_hlen);
  hdr.gso_size = mss;
  hdr.csum_start = uint16_t(kL4);
  hdr.csum_offset = 16;  // the TCP checksum field
  (void)kL3;
  if (write_frame(fd_, hdr, frame)) return true;
  ++tx_refused_;
  return false;
}

}  // namespace mayfly::hosted::netstack
