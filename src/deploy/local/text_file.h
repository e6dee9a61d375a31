#pragma once
// The local provider keeps its bookkeeping in small text files (pid, port, meta, the
// forwarder's control files). Reads give "" for a missing file; writes are all-or-nothing
// (hosted::write_file_atomic), so a reader never sees half a file.
#include <string>

namespace mayfly::deploy::local {

std::string read_text(const std::string& path);
void write_text_atomic(const std::string& path, const std::string& text);

}  // namespace mayfly::deploy::local
