#include "site/markdown/highlight/token_writer.h"

#include "site/markdown/escape.h"

namespace mayfly::site::markdown::syntax {

void TokenWriter::emit(std::string_view cls, std::string_view text) {
  if (text.empty()) return;
  if (cls != cls_) {
    flush();
    cls_ = cls;
  }
  pending_.append(text);
}

void TokenWriter::flush() {
  if (pending_.empty()) return;
  if (cls_.empty()) {
    append_escaped_text(out_, pending_);
  } else {
    out_.append("<span class=\"").append(cls_).append("\">");
    append_escaped_text(out_, pending_);
    out_.append("</span>");
  }
  pending_.clear();
}

}  // namespace mayfly::site::markdown::syntax
