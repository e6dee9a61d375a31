#include "deploy/local/text_file.h"

#include <fstream>
#include <sstream>

#include "hosted/atomic_file.h"

namespace mayfly::deploy::local {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text_atomic(const std::string& path, const std::string& text) {
  hosted::write_file_atomic(path, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

}  // namespace mayfly::deploy::local
