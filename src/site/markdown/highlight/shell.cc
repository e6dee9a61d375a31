// Shell scripts (bash, sh, zsh) and console sessions ("$ command" lines and their output).
#include "site/markdown/highlight/lexers.h"

#include <vector>

namespace mayfly::site::markdown::syntax {
namespace {

const WordSet& keywords() {
  static const WordSet w{"if",   "then",     "else",   "elif",   "fi",    "case",
                         "esac", "for",      "while",  "until",  "do",    "done",
                         "in",   "function", "select", "return", "break", "continue"};
  return w;
}

const WordSet& builtins() {
  static const WordSet w{
      "echo",    "cd",       "pwd",    "exit", "set",   "unset",   "source", "alias", "eval",
      "exec",    "read",     "printf", "test", "shift", "trap",    "type",   "wait",  "true",
      "false",   "ulimit",   "umask",  "kill", "let",   "getopts", "hash",   "local", "export",
      "declare", "readonly", "ls",     "cat",  "cp",    "mv",      "rm",     "mkdir", "chmod",
      "grep",    "sed",      "awk",    "sudo", "tar",   "touch",   "ln",     "rmdir", "chown",
      "sort",    "head",     "tail",   "wc",   "uniq",  "tr",      "cut",    "xargs", "env"};
  return w;
}

void lex_variable(Scanner& s);

bool starts_variable(const Scanner& s, size_t at) {
  char next = s.peek(at + 1);
  return s.peek(at) == '$' && (is_ident_start(next) || next == '{' ||
                               (next != '\0' && std::string_view("@*#?$!-0123456789").find(next) !=
                                                    std::string_view::npos));
}

// "double quoted" with $variables marked inside.
void lex_double_quoted(Scanner& s) {
  const size_t len = s.quoted_len('"', true, true);
  size_t done = 0;
  for (size_t i = 1; i < len;) {
    if (s.peek(i - done) == '\\') {
      i += 2;
      continue;
    }
    if (starts_variable(s, i - done) && s.peek(i - done + 1) != '(') {
      s.emit("s2", i - done);
      const size_t before = s.pos();
      lex_variable(s);
      done = i = i + (s.pos() - before);
      continue;
    }
    ++i;
  }
  s.emit("s2", len - done);
}

void lex_variable(Scanner& s) {
  if (s.peek(1) == '{') {
    s.emit("nv", s.until_len("${", "}"));
    return;
  }
  if (s.peek(1) == '(') {
    s.emit("nv", 2);  // $( ... ) command substitution: the contents lex as usual
    return;
  }
  size_t n = 1;
  if (std::string_view("@*#?$!-0123456789").find(s.peek(1)) != std::string_view::npos &&
      s.peek(1) != '\0') {
    n = 2;
  } else {
    while (is_ident_char(s.peek(n))) ++n;
  }
  s.emit("nv", n);
}

// One line (or, for multi-line strings, more) of shell.
void lex_shell_until(Scanner& s, bool stop_at_newline) {
  bool command_position = true;
  std::vector<bool> parens;  // open parentheses; true for a "$(" command substitution
  while (!s.done()) {
    char c = s.peek();
    if (c == '\n') {
      if (stop_at_newline && s.prev_significant() != '\\') return;
      s.emit("", 1);
      command_position = true;
      continue;
    }
    if (c == ' ' || c == '\t') {
      size_t n = 0;
      while (s.peek(n) == ' ' || s.peek(n) == '\t') ++n;
      s.emit("", n);
      continue;
    }
    if (c == '#' && s.after_blank()) {
      s.emit("c", s.line_len());
      continue;
    }
    if (c == '"') {
      lex_double_quoted(s);
      command_position = false;
      continue;
    }
    if (c == '\'') {
      s.emit("s1", s.quoted_len('\'', false, true));
      command_position = false;
      continue;
    }
    if (c == '`') {
      s.emit("sb", s.quoted_len('`', true, true));
      continue;
    }
    if (c == '$' &&
        (is_ident_start(s.peek(1)) || s.peek(1) == '{' || s.peek(1) == '(' ||
         std::string_view("@*#?$!-0123456789").find(s.peek(1)) != std::string_view::npos)) {
      if (s.peek(1) == '(') {
        s.emit("si", 2);
        parens.push_back(true);
        command_position = true;
        continue;
      }
      lex_variable(s);
      command_position = false;
      continue;
    }
    if (c == '\\' && s.peek(1) != '\0') {
      s.emit("se", 2);
      continue;
    }
    if (c == '(' || c == ')') {
      // "$(" ... ")" delimit a command substitution ("si"); other parentheses are punctuation.
      const bool closes_substitution = c == ')' && !parens.empty() && parens.back();
      if (c == '(') parens.push_back(false);
      if (c == ')' && !parens.empty()) parens.pop_back();
      s.emit(closes_substitution ? "si" : "p", 1);
      command_position = c == '(';
      continue;
    }
    if (std::string_view(";|&{}").find(c) != std::string_view::npos) {
      s.emit("p", 1);
      command_position = c != '}';
      continue;
    }
    if (std::string_view("<>=").find(c) != std::string_view::npos) {
      s.emit("o", 1);
      continue;
    }
    // A word: up to a blank or a special character.
    size_t n = 0;
    while (s.peek(n) != '\0' &&
           std::string_view(" \t\n;|&(){}<>\"'`$=\\").find(s.peek(n)) == std::string_view::npos) {
      ++n;
    }
    if (n == 0) {
      s.emit("", 1);
      continue;
    }
    std::string_view word = s.rest().substr(0, n);
    std::string_view cls = "";
    if (keywords().count(word)) {
      cls = "k";
    } else if (command_position && builtins().count(word)) {
      cls = "nb";
    } else if (is_digit(word[0]) && word.find_first_not_of("0123456789") == word.npos) {
      cls = "m";
    } else if (s.peek(n) == '=') {
      cls = "nv";
    }
    if (cls.empty() && word[0] == '-' && word.size() > 1) cls = "nt";  // an option
    if (cls.empty() && (word == "[" || word == "]" || word == "[[" || word == "]]")) cls = "o";
    if (cls == "k" || cls == "nb") {
      // Rouge's keyword and builtin tokens take the blanks before a following word.
      size_t k = n;
      while (s.peek(k) == ' ' || s.peek(k) == '\t') ++k;
      if (k > n && is_ident_char(s.peek(k))) n = k;
    }
    s.emit(cls, n);
    command_position = cls == "k";
  }
}

}  // namespace

void lex_shell(Scanner& s) {
  lex_shell_until(s, false);
}

void lex_console(Scanner& s) {
  while (!s.done()) {
    std::string_view line = s.rest().substr(0, s.line_len());
    size_t prompt = 0;
    if (line.starts_with("$ ") || line.starts_with("# ") || line.starts_with("> ") || line == "$" ||
        line == "#") {
      prompt = 1;
    } else if (size_t at = line.find("$ ");
               at != line.npos && at < 40 && at > 0 && line.substr(0, at).find(' ') == line.npos) {
      prompt = at + 1;  // user@host:~$ command
    }
    if (prompt > 0) {
      s.emit("gp", prompt);
      if (s.peek() == ' ') s.emit("w", 1);
      lex_shell_until(s, true);
    } else {
      s.emit("go", line.size() + (s.peek(line.size()) == '\n' ? 1 : 0));
    }
    if (s.peek() == '\n') s.emit("", 1);
  }
}

}  // namespace mayfly::site::markdown::syntax
