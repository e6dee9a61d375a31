#include "init/cmdline.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <sstream>

namespace mayfly::init {
namespace {

bool parse_ipv4(const std::string& s, uint32_t& out) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
  out = ntohl(a.s_addr);
  return true;
}

bool parse_int(const std::string& s, long lo, long hi, long& out) {
  if (s.empty() || s.size() > 6) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  out = std::strtol(s.c_str(), nullptr, 10);
  return out >= lo && out <= hi;
}

// ADDR/PREFIX[,GATEWAY], as the unikernel's cmdline.cc.
bool parse_static(const std::string& v, StaticIp& ip) {
  size_t slash = v.find('/');
  if (slash == std::string::npos) return false;
  size_t comma = v.find(',', slash);
  long prefix = 0;
  if (!parse_ipv4(v.substr(0, slash), ip.address) ||
      !parse_int(
          v.substr(slash + 1, comma == std::string::npos ? std::string::npos : comma - slash - 1),
          1, 32, prefix))
    return false;
  ip.prefix = int(prefix);
  return comma == std::string::npos || parse_ipv4(v.substr(comma + 1), ip.gateway);
}

}  // namespace

std::string parse_cmdline(const std::string& line, InitConfig& out) {
  std::istringstream words(line);
  std::string w, bad;
  // Every word is read even after a bad one, so panic= decides what the error does.
  auto wrong = [&bad](const std::string& word) {
    if (bad.empty()) bad = word;
  };
  while (words >> w) {
    size_t eq = w.find('=');
    if (eq == std::string::npos) continue;
    std::string key = w.substr(0, eq), value = w.substr(eq + 1);
    if (key == "ip") {
      if (value == "dhcp") {
        out.static_ip.reset();
      } else {
        StaticIp ip;
        if (parse_static(value, ip))
          out.static_ip = ip;
        else
          wrong(w);
      }
    } else if (key == "port") {
      long p = 0;
      if (parse_int(value, 1, 65535, p))
        out.port = uint16_t(p);
      else
        wrong(w);
    } else if (key == "log") {
      if (value != "quiet" && value != "info" && value != "access" && value != "debug") wrong(w);
      out.access_log = value == "access" || value == "debug";
    } else if (key == "panic") {
      // Linux reads panic=SECONDS itself; only our two words are ours.
      if (value == "reboot") out.reboot_on_panic = true;
      if (value == "halt") out.reboot_on_panic = false;
    }
  }
  return bad;
}

}  // namespace mayfly::init
