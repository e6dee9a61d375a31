#pragma once
// URLs as Jekyll makes them: permalink styles, placeholders, slugs (Jekyll::URL,
// Jekyll::Utils.slugify), and the output path a URL is written to.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mayfly::site {

enum class SlugMode { None, Raw, Default, Pretty, Ascii, Latin };
SlugMode slug_mode(std::string_view name);  // unknown names: Default
std::string slugify(std::string_view text, SlugMode mode = SlugMode::Default, bool cased = false);

// A built-in style name (date, pretty, ordinal, weekdate, none) becomes its template for
// posts; anything else is already a template.
std::string post_permalink_template(std::string_view style);

// Jekyll::Utils.add_permalink_suffix: how a page's "/:path/:basename" ends for a style.
std::string add_permalink_suffix(std::string tmpl, std::string_view style);

// Placeholder name → value; a value of nullopt-like "absent" removes "/:name".
struct Placeholder {
  std::string name;
  std::string value;
  bool present = true;
};

// Replaces the placeholders in a template (longest names first, so that :title does not
// eat :titles), escapes values for a URL path, and cleans the result: one leading slash,
// no repeated slashes, no "/./" or "/../".
std::string expand_url(std::string_view tmpl, const std::vector<Placeholder>& placeholders);

// Percent-encodes every byte that is neither alphanumeric nor in `keep`.
std::string percent_encode(std::string_view s, std::string_view keep);
// Percent-encodes what may not appear raw in a URL path (Addressable's path rules).
std::string escape_path(std::string_view s);
// Jekyll's URL normalization (relative_url, uri_escape): like escape_path, but query,
// fragment and existing escapes stay.
std::string normalize_url(std::string_view s);
// &, <, > and " as entities (Jekyll's xml_escape).
std::string xml_escape(std::string_view s);
std::string unescape_path(std::string_view s);

// Where a URL lands under the destination: "/a/" → "a/index.html", "/a" → "a.html" when
// output_ext is ".html", "/feed.xml" → "feed.xml".
std::string output_path_for_url(std::string_view url, std::string_view output_ext);

}  // namespace mayfly::site
