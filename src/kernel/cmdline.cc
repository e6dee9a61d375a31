#include "kernel/cmdline.h"

#include <string_view>

#include "kernel/console.h"
#include "kernel/panic.h"
#include "net/wire/address_text.h"

namespace mayfly::kernel {
namespace {

bool parse_number(std::string_view s, uint64_t& out, int base = 10) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : 99;
    if (d >= base) return false;
    if (v > (~0ull - uint64_t(d)) / uint64_t(base)) return false;
    v = v * uint64_t(base) + uint64_t(d);
  }
  out = v;
  return true;
}

// "0x..." in hex, otherwise decimal.
bool parse_address(std::string_view s, uint64_t& out) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    return parse_number(s.substr(2), out, 16);
  return parse_number(s, out);
}

// Linux's memparse: a number with an optional K, M or G suffix.
bool parse_size(std::string_view s, uint64_t& out) {
  uint64_t mul = 1;
  if (!s.empty()) {
    char c = s.back();
    if (c == 'K' || c == 'k') mul = 1024;
    if (c == 'M' || c == 'm') mul = 1024 * 1024;
    if (c == 'G' || c == 'g') mul = 1024ull * 1024 * 1024;
    if (mul != 1) s.remove_suffix(1);
  }
  if (!parse_address(s, out)) return false;
  out *= mul;
  return true;
}

[[noreturn]] void bad(std::string_view word, const char* expected) {
  panic("command line: '%.*s': expected %s", int(word.size()), word.data(), expected);
}

}  // namespace

KernelConfig parse_cmdline(const char* cmdline) {
  KernelConfig c;
  std::string_view rest = cmdline ? cmdline : "";
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    std::string_view word = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    if (word.empty()) continue;
    size_t eq = word.find('=');
    std::string_view key = word.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : word.substr(eq + 1);
    if (key == "ip") {
      if (value == "dhcp") {
        c.static_ip.reset();
        continue;
      }
      size_t comma = value.find(',');
      auto cidr = net::parse_ipv4_cidr(value.substr(0, comma));
      if (!cidr) bad(word, "ip=dhcp or ip=ADDR/PREFIX[,GATEWAY]");
      net::Ipv4Config ip{*cidr, std::nullopt};
      if (comma != std::string_view::npos) {
        auto gw = net::parse_ipv4(value.substr(comma + 1));
        if (!gw) bad(word, "ip=ADDR/PREFIX,GATEWAY");
        ip.gateway = *gw;
      }
      c.static_ip = ip;
    } else if (key == "port") {
      uint64_t p = 0;
      if (!parse_number(value, p) || p == 0 || p > 65535) bad(word, "port=1..65535");
      c.port = uint16_t(p);
    } else if (key == "log") {
      if (value == "quiet")
        g_log_level = LogLevel::kQuiet;
      else if (value == "info")
        g_log_level = LogLevel::kInfo;
      else if (value == "access")
        c.access_log = true;
      else if (value == "debug")
        g_log_level = LogLevel::kDebug, c.access_log = true;
      else
        bad(word, "log=quiet|info|access|debug");
    } else if (key == "panic") {
      if (value == "halt")
        c.reboot_on_panic = false;
      else if (value == "reboot")
        c.reboot_on_panic = true;
      else
        bad(word, "panic=halt|reboot");
      g_panic_action = c.reboot_on_panic ? PanicAction::kReboot : PanicAction::kHalt;
    } else if (key == "memstats") {
      uint64_t s = 0;
      if (!parse_number(value, s) || s > 86400) bad(word, "memstats=SECONDS");
      c.memstats_seconds = int64_t(s);
    } else if (key == "selftest") {
      if (value != "wx" && value != "nx" && value != "stack" && value != "canary")
        bad(word, "selftest=wx|nx|stack|canary");
      value.copy(c.selftest, sizeof(c.selftest) - 1);
    } else if (key == "virtio") {
      if (value != "legacy") bad(word, "virtio=legacy");
      c.force_legacy = true;
    } else if (key == "virtio_mmio.device") {
      // SIZE@BASE:IRQ (Linux's virtio_mmio.device= syntax; an optional :ID after IRQ).
      size_t at = value.find('@');
      size_t colon = value.find(':', at == std::string_view::npos ? 0 : at);
      MmioDevice d;
      uint64_t irq = 0;
      std::string_view irq_text = colon == std::string_view::npos ? "" : value.substr(colon + 1);
      irq_text = irq_text.substr(0, irq_text.find(':'));
      if (at == std::string_view::npos || colon == std::string_view::npos ||
          !parse_size(value.substr(0, at), d.size) ||
          !parse_address(value.substr(at + 1, colon - at - 1), d.base) ||
          !parse_number(irq_text, irq) || irq > 47)
        bad(word, "virtio_mmio.device=SIZE@ADDRESS:IRQ");
      d.irq = uint32_t(irq);
      if (c.mmio_count < 8) c.mmio[c.mmio_count++] = d;
    } else if (key == "console" || key == "earlyprintk" || key == "reboot" || key == "acpi" ||
               key == "pci" || key == "i8042.noaux" || key == "i8042.nomux" ||
               key == "i8042.nopnp" || key == "i8042.dumbkbd") {
      // Linux options QEMU or a launcher may add: not ours, ignored quietly.
    } else {
      KLOG(kInfo, "command line: ignoring unknown option '%.*s'\n", int(word.size()), word.data());
    }
  }
  return c;
}

}  // namespace mayfly::kernel
