// Footnote numbering and markup as kramdown writes it.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct cmark_node;

namespace mayfly::site::markdown {

class Footnotes {
 public:
  // Appends the <sup id="fnref:NAME"...> marker of a reference to the definition `def`
  // named `name` (footnotes are numbered in the order of their first reference).
  void append_reference(std::string& out, cmark_node* def, std::string_view name);

  bool empty() const { return notes_.empty(); }

  struct Note {
    std::string name;
    cmark_node* def;
    int references;
  };
  const std::vector<Note>& notes() const { return notes_; }

  // Appends the back links of a note: "&#8617;" per reference, joined by no-break spaces.
  static void append_backlinks(std::string& out, const Note& note, std::string_view nbsp);

 private:
  std::vector<Note> notes_;
  std::unordered_map<cmark_node*, size_t> index_;
};

}  // namespace mayfly::site::markdown
