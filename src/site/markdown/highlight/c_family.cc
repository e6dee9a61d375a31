// C, C++, Java, Go, Rust, JavaScript and TypeScript: one lexer, per-language word lists.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {
namespace {

struct Words {
  WordSet keywords;      // k
  WordSet declarations;  // kd
  WordSet types;         // kt
  WordSet constants;     // kc
  WordSet builtins;      // nb
  WordSet class_intro;   // the next name is a class (nc)
  WordSet func_intro;    // the next name is a function (nf)
  WordSet namespaces;    // kn (import, package, use, ...)
};

const Words& c_words() {
  static const Words w{
      {"auto",     "break",     "case",           "const",        "continue", "default",  "do",
       "else",     "enum",      "extern",         "for",          "goto",     "if",       "inline",
       "register", "restrict",  "return",         "sizeof",       "static",   "struct",   "switch",
       "typedef",  "union",     "volatile",       "while",        "_Alignas", "_Alignof", "_Atomic",
       "_Generic", "_Noreturn", "_Static_assert", "_Thread_local"},
      {},
      {"int",      "long",      "float",    "short",     "double",   "char",     "unsigned",
       "signed",   "void",      "bool",     "_Bool",     "_Complex", "size_t",   "ssize_t",
       "int8_t",   "int16_t",   "int32_t",  "int64_t",   "uint8_t",  "uint16_t", "uint32_t",
       "uint64_t", "uintptr_t", "intptr_t", "ptrdiff_t", "wchar_t",  "FILE"},
      {"NULL", "true", "false"},
      {},
      {"struct", "union", "enum"},
      {},
      {}};
  return w;
}

const Words& cpp_words() {
  static const Words w{
      {"alignas",
       "alignof",
       "and",
       "and_eq",
       "asm",
       "auto",
       "bitand",
       "bitor",
       "break",
       "case",
       "catch",
       "co_await",
       "co_return",
       "co_yield",
       "compl",
       "concept",
       "const",
       "consteval",
       "constexpr",
       "constinit",
       "const_cast",
       "continue",
       "decltype",
       "default",
       "delete",
       "do",
       "dynamic_cast",
       "else",
       "enum",
       "explicit",
       "export",
       "extern",
       "final",
       "for",
       "friend",
       "goto",
       "if",
       "inline",
       "mutable",
       "new",
       "noexcept",
       "not",
       "not_eq",
       "operator",
       "or",
       "or_eq",
       "override",
       "private",
       "protected",
       "public",
       "register",
       "reinterpret_cast",
       "requires",
       "return",
       "sizeof",
       "static",
       "static_assert",
       "static_cast",
       "struct",
       "switch",
       "template",
       "this",
       "thread_local",
       "throw",
       "try",
       "typedef",
       "typeid",
       "typename",
       "union",
       "using",
       "virtual",
       "volatile",
       "while",
       "xor",
       "xor_eq",
       "class",
       "namespace"},
      {},
      {"int",     "long",    "float",   "short",   "double",   "char",     "unsigned", "signed",
       "void",    "bool",    "wchar_t", "char8_t", "char16_t", "char32_t", "size_t",   "int8_t",
       "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "ptrdiff_t"},
      {"nullptr", "true", "false", "NULL"},
      {},
      {"class", "struct", "union", "enum", "namespace"},
      {},
      {}};
  return w;
}

const Words& java_words() {
  static const Words w{
      {"assert", "break",   "case",   "catch",  "continue", "default",    "do",
       "else",   "finally", "for",    "if",     "goto",     "instanceof", "new",
       "return", "switch",  "this",   "throw",  "try",      "while",      "super",
       "yield",  "var",     "record", "sealed", "permits"},
      {"abstract", "const", "enum", "extends", "final", "implements", "native", "private",
       "protected", "public", "static", "strictfp", "synchronized", "throws", "transient",
       "volatile", "class", "interface"},
      {"boolean", "byte", "char", "double", "float", "int", "long", "short", "void"},
      {"true", "false", "null"},
      {},
      {"class", "interface", "enum", "record", "extends", "implements", "new"},
      {},
      {"import", "package"}};
  return w;
}

const Words& go_words() {
  static const Words w{
      {"break",     "default", "select",      "case",   "defer", "go",       "else",
       "goto",      "switch",  "fallthrough", "if",     "range", "continue", "for",
       "return",    "var",     "func",        "struct", "map",   "chan",     "type",
       "interface", "const",   "package",     "import"},
      {},
      {"uint",  "uint8", "uint16", "uint32",  "uint64",  "int",       "int8",
       "int16", "int32", "int64",  "float32", "float64", "complex64", "complex128",
       "byte",  "rune",  "string", "bool",    "error",   "uintptr",   "any"},
      {"true", "false", "iota", "nil"},
      {"append", "cap", "close", "complex", "copy", "delete", "imag", "len", "make", "new", "panic",
       "print", "println", "real", "recover", "min", "max", "clear"},
      {},
      {},
      {}};
  return w;
}

const Words& rust_words() {
  static const Words w{
      {"as",    "async",       "await",  "break", "const", "continue", "crate",  "dyn",
       "else",  "enum",        "extern", "for",   "if",    "impl",     "in",     "loop",
       "match", "move",        "mut",    "pub",   "ref",   "return",   "static", "struct",
       "trait", "type",        "unsafe", "where", "while", "yield",    "Self",   "self",
       "super", "macro_rules", "fn",     "let",   "use",   "mod"},
      {},
      {"u8",    "u16", "u32", "u64",  "u128", "i8",  "i16",    "i32", "i64",    "i128",   "usize",
       "isize", "f32", "f64", "bool", "char", "str", "String", "Vec", "Option", "Result", "Box"},
      {"true", "false"},
      {"Some", "None", "Ok", "Err"},
      {"struct", "enum", "trait", "type"},
      {"fn"},
      {}};
  return w;
}

const Words& js_words() {
  static const Words w{
      {"async",   "await",  "break",  "case",  "catch",      "continue", "debugger",
       "default", "delete", "do",     "else",  "export",     "finally",  "for",
       "from",    "if",     "import", "in",    "instanceof", "new",      "of",
       "return",  "super",  "switch", "this",  "throw",      "try",      "typeof",
       "void",    "while",  "with",   "yield", "as"},
      {"var", "let", "const", "function", "class", "extends", "static", "get", "set"},
      {},
      {"true", "false", "null", "undefined", "NaN", "Infinity"},
      {"Array",   "Boolean",    "Date",     "Error",     "Function", "Math",   "Number",
       "Object",  "RegExp",     "String",   "Promise",   "Map",      "Set",    "JSON",
       "Symbol",  "console",    "window",   "document",  "require",  "module", "exports",
       "process", "globalThis", "parseInt", "parseFloat"},
      {"class", "extends", "new"},
      {"function"},
      {}};
  return w;
}

const Words& ts_words() {
  static const Words w = [] {
    Words t = js_words();
    for (std::string_view k :
         {"interface", "type", "enum", "namespace", "declare", "abstract", "implements", "public",
          "private", "protected", "readonly", "keyof", "infer", "is", "satisfies"}) {
      t.declarations.insert(k);
    }
    for (std::string_view k : {"string", "number", "boolean", "any", "unknown", "never", "object",
                               "symbol", "bigint", "void"}) {
      t.types.insert(k);
    }
    t.class_intro.insert("interface");
    t.class_intro.insert("implements");
    return t;
  }();
  return w;
}

const Words& words_for(CLang lang) {
  switch (lang) {
    case CLang::kC:
      return c_words();
    case CLang::kCpp:
      return cpp_words();
    case CLang::kJava:
      return java_words();
    case CLang::kGo:
      return go_words();
    case CLang::kRust:
      return rust_words();
    case CLang::kJavaScript:
      return js_words();
    case CLang::kTypeScript:
      return ts_words();
  }
  return c_words();
}

bool is_js(CLang lang) {
  return lang == CLang::kJavaScript || lang == CLang::kTypeScript;
}

// A quoted string as Rouge's JavaScript lexer gives it: delimiters "dl", contents s1/s2.
void lex_js_string(Scanner& s, char quote) {
  size_t n = s.quoted_len(quote, true, false);
  const bool closed = n >= 2 && s.peek(n - 1) == quote;
  s.emit("dl", 1);
  s.emit(quote == '"' ? "s2" : "s1", closed ? n - 2 : n - 1);
  if (closed) s.emit("dl", 1);
}

void lex_preprocessor(Scanner& s) {
  if (s.at("#include")) {
    s.emit("cp", 8);
    while (s.peek() == ' ' || s.peek() == '\t') s.emit("", 1);
    size_t n = s.line_len();
    std::string_view rest = s.rest().substr(0, n);
    size_t comment = rest.find("//");
    if (comment != std::string_view::npos) n = comment;
    s.emit("cpf", n);
    return;
  }
  // A directive line, continued by backslash-newline.
  size_t n = 0;
  std::string_view r = s.rest();
  while (n < r.size() && r[n] != '\n') {
    if (r[n] == '\\' && n + 1 < r.size() && r[n + 1] == '\n') ++n;
    if (r.substr(n).starts_with("//")) break;
    ++n;
  }
  s.emit("cp", n);
}

}  // namespace

void lex_c_family(Scanner& s, CLang lang) {
  const Words& w = words_for(lang);
  enum class Next { kNone, kClass, kFunction } next = Next::kNone;
  std::string_view last;  // the class of the last token (for telling declarations)
  const bool c_like = lang == CLang::kC || lang == CLang::kCpp;
  while (!s.done()) {
    if (size_t n = s.space_len()) {
      s.emit("", n);
      continue;
    }
    char c = s.peek();
    if (c_like && c == '#' && s.line_blank_before()) {
      lex_preprocessor(s);
      continue;
    }
    if (s.at("//")) {
      s.emit("c1", s.line_len());
      continue;
    }
    if (s.at("/*")) {
      s.emit("cm", s.until_len("/*", "*/"));
      continue;
    }
    if (c == '"') {
      if (is_js(lang)) {
        lex_js_string(s, '"');
      } else {
        s.emit("s", s.quoted_len('"', true, false));
      }
      last = "s";
      continue;
    }
    if (c == '\'') {
      if (lang == CLang::kRust && is_ident_start(s.peek(1)) && s.peek(2) != '\'') {
        s.emit("nl", 1 + 1);  // a lifetime: 'a
        continue;
      }
      if (is_js(lang)) {
        lex_js_string(s, '\'');
      } else {
        s.emit("sc", s.quoted_len('\'', true, false));
      }
      last = "s";
      continue;
    }
    if (c == '`' && (is_js(lang) || lang == CLang::kGo)) {
      s.emit(is_js(lang) ? "s2" : "s", s.quoted_len('`', is_js(lang), true));
      last = "s";
      continue;
    }
    if (c == '@' && (lang == CLang::kJava || is_js(lang))) {
      size_t n = 1;
      while (is_ident_char(s.peek(n)) || s.peek(n) == '.') ++n;
      s.emit("nd", n);
      continue;
    }
    std::string_view num_cls;
    if (is_digit(c) || (c == '.' && is_digit(s.peek(1)))) {
      if (size_t n = s.number_len(&num_cls)) {
        s.emit(num_cls, n);
        continue;
      }
    }
    if (size_t n = s.ident_len(is_js(lang) ? "_$" : "_")) {
      std::string_view word = s.rest().substr(0, n);
      std::string_view cls = is_js(lang) ? "nx" : "n";
      if (next == Next::kClass) {
        cls = "nc";
      } else if (next == Next::kFunction) {
        cls = "nf";
      } else if (w.constants.count(word)) {
        cls = "kc";
      } else if (w.namespaces.count(word)) {
        cls = "kn";
      } else if (w.declarations.count(word)) {
        cls = "kd";
      } else if (w.types.count(word)) {
        cls = lang == CLang::kRust ? "nb" : "kt";
      } else if (w.keywords.count(word)) {
        cls = "k";
      } else if (w.builtins.count(word)) {
        cls = "nb";
      } else if (lang == CLang::kRust && s.peek(n) == '!') {
        s.emit("nd", n + 1);  // a macro call: println!
        next = Next::kNone;
        continue;
      } else {
        // A name followed by "(" after a type or a name is a function being declared.
        size_t k = n;
        while (s.peek(k) == ' ') ++k;
        if (s.peek(k) == '(' && (last == "kt" || last == "n" || last == "nc" || last == "*") &&
            (lang == CLang::kC || lang == CLang::kCpp || lang == CLang::kJava)) {
          cls = "nf";
        } else if (lang == CLang::kJava && word[0] >= 'A' && word[0] <= 'Z') {
          cls = "nc";
        }
      }
      next = Next::kNone;
      if (w.class_intro.count(word)) next = Next::kClass;
      if (w.func_intro.count(word)) next = Next::kFunction;
      s.emit(cls, n);
      last = cls;
      continue;
    }
    next = Next::kNone;
    last = c == '*' || c == '&' ? "*" : "o";
    if (lang == CLang::kJava && std::string_view("()[]{};,.").find(c) != std::string_view::npos) {
      s.emit("o", 1);  // Rouge's Java lexer calls punctuation operators
      continue;
    }
    if (c == ':' && s.peek(1) != ':' && s.peek(1) != '=' && s.prev_significant() != ':' &&
        lang != CLang::kC && lang != CLang::kCpp) {
      s.emit("p", 1);  // a type annotation or label colon
      continue;
    }
    emit_operator_or_punct(s, "+-*/%=<>!&|^~?:");
  }
}

void emit_operator_or_punct(Scanner& s, std::string_view operators) {
  char c = s.peek();
  if (operators.find(c) != std::string_view::npos) {
    size_t n = 1;
    while (operators.find(s.peek(n)) != std::string_view::npos && s.peek(n) != '\0') ++n;
    s.emit("o", n);
    return;
  }
  if (std::string_view("()[]{};,.:").find(c) != std::string_view::npos) {
    s.emit("p", 1);
    return;
  }
  // Anything else (including multi-byte UTF-8) is plain text, one byte at a time.
  s.emit(static_cast<unsigned char>(c) >= 0x80 || c == '\\' || c == '$' || c == '#' ? "" : "err",
         1);
}

}  // namespace mayfly::site::markdown::syntax
