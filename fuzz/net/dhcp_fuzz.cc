// The DHCP parser on arbitrary bytes; an accepted message re-emits to one that parses
// with the same fields.
#include <cstdlib>
#include <vector>

#include "net/wire/dhcp.h"

using namespace mayfly::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = DhcpRepr::parse(std::span<const uint8_t>(data, size));
  if (!m) return 0;
  std::vector<uint8_t> out(m->size());
  auto n = m->emit(out);
  if (!n || *n != out.size()) std::abort();
  auto b = DhcpRepr::parse(out);
  if (!b) std::abort();
  bool same = b->op == m->op && b->xid == m->xid && b->secs == m->secs &&
              b->broadcast == m->broadcast && b->ciaddr == m->ciaddr && b->yiaddr == m->yiaddr &&
              b->chaddr == m->chaddr && b->message_type == m->message_type &&
              b->requested_ip == m->requested_ip && b->server_id == m->server_id &&
              b->lease_time == m->lease_time && b->renewal_time == m->renewal_time &&
              b->rebinding_time == m->rebinding_time && b->subnet_mask == m->subnet_mask &&
              b->router == m->router && b->dns_count == m->dns_count &&
              b->dns_servers == m->dns_servers && b->max_message_size == m->max_message_size &&
              b->parameter_request_list.size() == m->parameter_request_list.size() &&
              b->client_id.size() == m->client_id.size();
  if (!same) std::abort();
  return 0;
}
