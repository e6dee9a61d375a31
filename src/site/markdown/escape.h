// HTML escaping as kramdown does it.
#pragma once

#include <string>
#include <string_view>

namespace mayfly::site::markdown {

// Text content: & < > become entities; quotes stay.
void append_escaped_text(std::string& out, std::string_view text);
// Attribute values: & < > and " become entities.
void append_escaped_attr(std::string& out, std::string_view text);
// Text content whose typographic characters (’ “ ” … – — « » and the like) are written as
// numeric entities, as kramdown does with entity_output other than as_char.
void append_escaped_text_entities(std::string& out, std::string_view text);

}  // namespace mayfly::site::markdown
