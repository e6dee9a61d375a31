#include "deploy/local/command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace mayfly::deploy::local {

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input) {
  CommandResult result;
  int to_child[2], from_child[2];
  if (argv.empty() || pipe2(to_child, O_CLOEXEC) != 0) return result;
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    return result;
  }
  pid_t child = fork();
  if (child == 0) {
    dup2(to_child[0], STDIN_FILENO);
    dup2(from_child[1], STDOUT_FILENO);
    dup2(from_child[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    // A non-root PATH often lacks the sbin folders where ip, nft and conntrack live.
    for (const char* dir : {"/usr/sbin/", "/sbin/"}) {
      std::string path = dir + argv[0];
      execv(path.c_str(), args.data());
    }
    _exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (child < 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    return result;
  }
  // The inputs are small (an nft script of a few lines), far below a pipe's buffer, so
  // writing all of it before reading cannot deadlock.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &previous);
  size_t written = 0;
  while (written < input.size()) {
    ssize_t n = ::write(to_child[1], input.data() + written, input.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  ::close(to_child[1]);
  sigaction(SIGPIPE, &previous, nullptr);
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(from_child[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buffer, static_cast<size_t>(n));
  }
  ::close(from_child[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace mayfly::deploy::local
