// SQL (keywords in any case).
#include "site/markdown/highlight/lexers.h"

#include <string>

namespace mayfly::site::markdown::syntax {
namespace {

const WordSet& keywords() {
  static const WordSet w{"select",
                         "from",
                         "where",
                         "and",
                         "or",
                         "not",
                         "insert",
                         "into",
                         "values",
                         "update",
                         "set",
                         "delete",
                         "create",
                         "table",
                         "drop",
                         "alter",
                         "add",
                         "column",
                         "index",
                         "view",
                         "on",
                         "join",
                         "left",
                         "right",
                         "inner",
                         "outer",
                         "full",
                         "cross",
                         "group",
                         "by",
                         "order",
                         "having",
                         "limit",
                         "offset",
                         "as",
                         "distinct",
                         "union",
                         "all",
                         "case",
                         "when",
                         "then",
                         "else",
                         "end",
                         "is",
                         "null",
                         "in",
                         "like",
                         "between",
                         "exists",
                         "primary",
                         "key",
                         "foreign",
                         "references",
                         "unique",
                         "default",
                         "constraint",
                         "check",
                         "asc",
                         "desc",
                         "begin",
                         "commit",
                         "rollback",
                         "transaction",
                         "if",
                         "with",
                         "returning",
                         "database",
                         "schema",
                         "grant",
                         "revoke",
                         "trigger",
                         "function",
                         "procedure",
                         "return",
                         "returns",
                         "declare",
                         "using",
                         "natural",
                         "replace",
                         "truncate",
                         "cascade",
                         "autoincrement",
                         "auto_increment",
                         "explain",
                         "true",
                         "false",
                         "count",
                         "sum",
                         "avg",
                         "min",
                         "max",
                         "coalesce",
                         "cast"};
  return w;
}

const WordSet& types() {
  static const WordSet w{"int",       "integer", "bigint",    "smallint",    "tinyint",  "serial",
                         "bigserial", "varchar", "char",      "text",        "boolean",  "bool",
                         "date",      "time",    "timestamp", "timestamptz", "datetime", "float",
                         "real",      "double",  "decimal",   "numeric",     "blob",     "json",
                         "jsonb",     "uuid",    "bytea",     "interval"};
  return w;
}

}  // namespace

void lex_sql(Scanner& s) {
  while (!s.done()) {
    if (size_t n = s.space_len()) {
      s.emit("", n);
      continue;
    }
    char c = s.peek();
    if (s.at("--")) {
      s.emit("c1", s.line_len());
      continue;
    }
    if (s.at("/*")) {
      s.emit("cm", s.until_len("/*", "*/"));
      continue;
    }
    if (c == '\'') {
      s.emit("s1", s.quoted_len('\'', false, true));
      continue;
    }
    if (c == '"' || c == '`') {
      s.emit("nv", s.quoted_len(c, false, false));
      continue;
    }
    std::string_view cls;
    if (is_digit(c)) {
      if (size_t n = s.number_len(&cls)) {
        s.emit(cls, n);
        continue;
      }
    }
    if (size_t n = s.ident_len()) {
      std::string lower(s.rest().substr(0, n));
      for (char& ch : lower) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
      }
      s.emit(keywords().count(lower) ? "k" : types().count(lower) ? "nb" : "n", n);
      continue;
    }
    emit_operator_or_punct(s, "+-*/%=<>!|");
  }
}

}  // namespace mayfly::site::markdown::syntax
