#include "http/negotiate.h"

#include "core/ascii.h"
#include "http/date.h"

namespace mayfly::http {
namespace {

// Walks a comma-separated list, calling fn(item) for each non-empty trimmed element.
template <typename Fn>
void each_item(std::string_view list, Fn&& fn) {
  while (true) {
    size_t comma = list.find(',');
    std::string_view item = trim_ows(list.substr(0, comma));
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), as thousandths; -1 if bad.
int parse_qvalue(std::string_view s) {
  if (s.empty() || s.size() > 5 || (s[0] != '0' && s[0] != '1')) return -1;
  int v = (s[0] - '0') * 1000;
  if (s.size() == 1) return v;
  if (s[1] != '.') return -1;
  int scale = 100;
  for (size_t i = 2; i < s.size(); ++i, scale /= 10) {
    if (!is_digit(s[i])) return -1;
    v += (s[i] - '0') * scale;
  }
  return v > 1000 ? -1 : v;
}

// Matches one entity-tag of a list against ours. weak: weak comparison.
bool tag_matches(std::string_view item, const EntityTag& tag, bool weak) {
  bool is_weak = item.starts_with("W/");
  if (is_weak) {
    if (!weak) return false;
    item.remove_prefix(2);
  }
  if (item.size() < 2 || item.front() != '"' || item.back() != '"') return false;
  std::string_view opaque = item.substr(1, item.size() - 2);
  return opaque.size() == tag.base.size() + tag.suffix.size() && opaque.starts_with(tag.base) &&
         opaque.substr(tag.base.size()) == tag.suffix;
}

// Evaluates If-Match or If-None-Match over all fields of that name: "*" or any match.
bool any_tag_matches(const Request& req, std::string_view field, const EntityTag& tag, bool weak) {
  bool matched = false;
  req.each_header(field, [&](std::string_view value) {
    each_item(value, [&](std::string_view item) {
      if (item == "*" || tag_matches(item, tag, weak)) matched = true;
    });
  });
  return matched;
}

bool has_field(const Request& req, std::string_view name) {
  return req.header(name).data() != nullptr;
}

}  // namespace

std::string_view encoding_suffix(Encoding e) {
  switch (e) {
    case Encoding::Gzip:
      return "-gz";
    case Encoding::Brotli:
      return "-br";
    default:
      return "";
  }
}

Encoding choose_encoding(const Request& req, bool have_gzip, bool have_brotli) {
  if (!have_gzip && !have_brotli) return Encoding::Identity;
  int q_br = -1, q_gzip = -1, q_identity = -1, q_any = -1;
  bool present = false;
  req.each_header("accept-encoding", [&](std::string_view value) {
    present = true;
    each_item(value, [&](std::string_view item) {
      size_t semi = item.find(';');
      std::string_view coding = trim_ows(item.substr(0, semi));
      int q = 1000;
      if (semi != std::string_view::npos) {
        std::string_view params = item.substr(semi + 1);
        q = -1;
        // Only the weight parameter is defined for Accept-Encoding.
        params = trim_ows(params);
        if (params.size() > 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=')
          q = parse_qvalue(params.substr(2));
        if (q < 0) return;  // malformed member: ignore it
      }
      if (iequals(coding, "br"))
        q_br = q;
      else if (iequals(coding, "gzip") || iequals(coding, "x-gzip"))
        q_gzip = q;
      else if (iequals(coding, "identity"))
        q_identity = q;
      else if (coding == "*")
        q_any = q;
    });
  });
  if (!present) return Encoding::Identity;
  if (q_br < 0) q_br = q_any < 0 ? 0 : q_any;
  if (q_gzip < 0) q_gzip = q_any < 0 ? 0 : q_any;
  if (q_identity < 0) q_identity = q_any < 0 ? 1 : q_any;  // identity is implied
  if (!have_brotli) q_br = 0;
  if (!have_gzip) q_gzip = 0;
  if (q_br > 0 && q_br >= q_gzip && q_br >= q_identity) return Encoding::Brotli;
  if (q_gzip > 0 && q_gzip >= q_identity) return Encoding::Gzip;
  return Encoding::Identity;
}

Precondition evaluate_preconditions(const Request& req, const EntityTag& tag, int64_t mtime) {
  int64_t date = 0;
  // Step 1 and 2: If-Match, else If-Unmodified-Since.
  if (has_field(req, "if-match")) {
    if (!any_tag_matches(req, "if-match", tag, false)) return Precondition::Failed;
  } else if (parse_http_date(req.header("if-unmodified-since"), date)) {
    if (mtime > date) return Precondition::Failed;
  }
  // Step 3 and 4: If-None-Match, else If-Modified-Since (GET and HEAD only).
  bool safe = req.method == Method::Get || req.method == Method::Head;
  if (has_field(req, "if-none-match")) {
    if (any_tag_matches(req, "if-none-match", tag, true))
      return safe ? Precondition::NotModified : Precondition::Failed;
  } else if (safe && parse_http_date(req.header("if-modified-since"), date)) {
    if (mtime <= date) return Precondition::NotModified;
  }
  return Precondition::Proceed;
}

ByteRange parse_range(std::string_view value, uint64_t size) {
  ByteRange none;
  size_t eq = value.find('=');
  if (eq == std::string_view::npos || !iequals(trim_ows(value.substr(0, eq)), "bytes")) return none;
  std::string_view set = value.substr(eq + 1);
  if (set.find(',') != std::string_view::npos) {
    // Several ranges: allowed to answer 200 with the whole representation.
    return none;
  }
  set = trim_ows(set);
  size_t dash = set.find('-');
  if (dash == std::string_view::npos) return none;
  std::string_view a = set.substr(0, dash), b = set.substr(dash + 1);
  ByteRange r;
  uint64_t first = 0, last = 0;
  if (a.empty()) {
    // suffix-range: the last N bytes
    if (!parse_u64(b, last)) return none;
    if (last == 0 || size == 0) {
      r.kind = ByteRange::Unsatisfiable;
      return r;
    }
    r.kind = ByteRange::Satisfiable;
    r.first = last >= size ? 0 : size - last;
    r.last = size - 1;
    return r;
  }
  if (!parse_u64(a, first)) return none;
  if (b.empty()) {
    last = UINT64_MAX;
  } else if (!parse_u64(b, last) || last < first) {
    return none;  // invalid range-spec: ignore the header
  }
  if (first >= size) {
    r.kind = ByteRange::Unsatisfiable;
    return r;
  }
  r.kind = ByteRange::Satisfiable;
  r.first = first;
  r.last = last >= size ? size - 1 : last;
  return r;
}

bool if_range_allows(const Request& req, const EntityTag& tag, int64_t mtime) {
  std::string_view v = req.header("if-range");
  if (v.data() == nullptr) return true;
  if (v.starts_with('"') || v.starts_with("W/")) return tag_matches(v, tag, false);
  int64_t date = 0;
  return parse_http_date(v, date) && date == mtime;
}

}  // namespace mayfly::http
