#include "init/modules.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "init/console.h"

namespace mayfly::init {

int load_modules(const std::string& list_path) {
  std::ifstream list(list_path);
  if (!list) {
    say("no module list at " + list_path);
    return 0;
  }
  int loaded = 0;
  std::string path;
  while (std::getline(list, path)) {
    if (path.empty()) continue;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      say("module " + path + ": " + std::strerror(errno));
      continue;
    }
    // finit_module(2) has no glibc wrapper in Debian 12's glibc 2.36.
    long r = ::syscall(SYS_finit_module, fd, "", 0);
    int err = errno;
    ::close(fd);
    if (r != 0 && err != EEXIST)
      say("module " + path + ": " + std::strerror(err));
    else
      ++loaded;
  }
  return loaded;
}

}  // namespace mayfly::init
