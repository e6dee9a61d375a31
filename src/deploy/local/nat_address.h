#pragma once
// The local Elastic IP in nat mode: an nftables table of mayfly's own (one per network,
// `ip mayfly-ID`) whose DNAT rule sends new connections for the stable address to the
// serving instance. The rule sits in both the prerouting hook (clients elsewhere) and the
// output hook (clients on this host). A switch replaces both rules in one `nft -f`
// transaction, so no connection ever sees neither or both; connections already set up keep
// their translation in conntrack and go on to the old instance until they close.
#include <string>

namespace mayfly::deploy::local {

// Why nftables cannot be driven here ("" when it can): not root, no nft, no nat support.
std::string nft_unusable_reason();

// Points address:port at backend_ip:80, labelled with the instance's ref. Throws
// ProviderError with nft's message on failure.
void nft_point(const std::string& table, const std::string& address, unsigned port,
               const std::string& backend_ip, const std::string& ref);

// The ref the rule is labelled with; "" when the table or its rule does not exist.
std::string nft_points_to(const std::string& table);

// Deletes the table (the address no longer leads anywhere). Idempotent.
void nft_delete_table(const std::string& table);

}  // namespace mayfly::deploy::local
