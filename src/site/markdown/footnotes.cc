#include "site/markdown/footnotes.h"

#include "site/markdown/escape.h"

namespace mayfly::site::markdown {

void Footnotes::append_reference(std::string& out, cmark_node* def, std::string_view name) {
  auto [it, inserted] = index_.try_emplace(def, notes_.size());
  if (inserted) notes_.push_back(Note{std::string(name), def, 0});
  Note& note = notes_[it->second];
  out.append("<sup id=\"fnref:");
  append_escaped_attr(out, note.name);
  if (note.references > 0) out.append(":" + std::to_string(note.references));
  out.append("\" role=\"doc-noteref\"><a href=\"#fn:");
  append_escaped_attr(out, note.name);
  out.append("\" class=\"footnote\" rel=\"footnote\">");
  out.append(std::to_string(it->second + 1));
  out.append("</a></sup>");
  ++note.references;
}

void Footnotes::append_backlinks(std::string& out, const Note& note, std::string_view nbsp) {
  for (int i = 0; i < note.references; ++i) {
    out.append(nbsp);
    out.append("<a href=\"#fnref:");
    append_escaped_attr(out, note.name);
    if (i > 0) out.append(":" + std::to_string(i));
    out.append("\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;");
    if (i > 0) out.append("<sup>" + std::to_string(i + 1) + "</sup>");
    out.append("</a>");
  }
}

}  // namespace mayfly::site::markdown
