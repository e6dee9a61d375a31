"""Compares two built sites (Jekyll's and mayfly's) the way the oracle test needs.

Every difference is a Difference(case, path, kind, detail). The kinds:
  only-jekyll / only-mayfly   an output path one side has and the other lacks
  text                        an HTML page's visible text differs
  links                       an HTML page's href/src targets differ
  feed                        feed.xml entries (id, link, title, updated, content text) differ
  sitemap                     sitemap.xml <loc> entries differ
  bytes                       any other file differs (after whitespace normalization for text)
"""

import difflib
import html.parser
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

# Elements whose boundaries separate words on screen; inline elements (a, em, code, span)
# do not, so "foo<em>bar</em>" reads "foobar" and whitespace there still counts.
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "head", "header", "hr", "html", "img", "input", "li", "link", "main",
    "meta", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "title", "tr", "ul", "svg", "use", "button", "label", "select", "option",
}
HIDDEN_TAGS = {"script", "style", "template", "noscript"}
LINK_ATTRS = {"href", "src", "xlink:href", "srcset", "action", "poster"}

# kramdown's typographic substitutions; the brief allows normalizing them back to ASCII.
TYPOGRAPHY = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "--", "\u2014": "---", "\u2026": "...", "\u00ab": "<<", "\u00bb": ">>",
    "\u00a0": " ",
}
_TYPO_RE = re.compile("|".join(map(re.escape, TYPOGRAPHY)))


def normalize_text(s):
    s = _TYPO_RE.sub(lambda m: TYPOGRAPHY[m.group(0)], s)
    return " ".join(s.split())


class _PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.links = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        if tag in BLOCK_TAGS:
            self.parts.append(" ")
        for name, value in attrs:
            if name in LINK_ATTRS and value is not None:
                self.links.append(f"{tag}@{name}={value.strip()}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN_TAGS:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS and self.hidden > 0:
            self.hidden -= 1
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def page_text_and_links(html_text):
    p = _PageParser()
    p.feed(html_text)
    p.close()
    return normalize_text("".join(p.parts)), p.links


@dataclass
class Difference:
    case: str
    path: str
    kind: str
    detail: str

    def __str__(self):
        return f"{self.case} {self.path} {self.kind}: {self.detail}"


def _word_diff(a, b, limit=6):
    """A short description of how word lists a (Jekyll) and b (mayfly) differ."""
    out = []
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        ctx = " ".join(a[max(0, i1 - 4):i1])
        out.append(f"[...{ctx}] jekyll={' '.join(a[i1:i2])[:300]!r} "
                   f"mayfly={' '.join(b[j1:j2])[:300]!r}")
        if len(out) >= limit:
            out.append("...")
            break
    return "; ".join(out)


def list_files(root):
    files = set()
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            files.add(os.path.relpath(os.path.join(dirpath, n), root))
    return files


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _xml_root(data):
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        return e


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _feed_entries(root):
    """(feed-level facts, [entry facts]) of an Atom feed. The feed's own <updated> is the build
    time (site.time), so it is left out."""
    head = []
    for child in root:
        tag = child.tag.replace(ATOM, "")
        if tag in ("id", "title", "subtitle"):
            head.append(f"{tag}={normalize_text(child.text or '')}")
        elif tag == "link":
            head.append(f"link={child.get('rel')} {child.get('href')}")
        elif tag == "author":
            head.append("author=" + normalize_text("".join(child.itertext())))
    entries = []
    for e in root.findall(ATOM + "entry"):
        facts = []
        for child in e:
            tag = child.tag.replace(ATOM, "")
            if tag in ("id", "title", "updated", "published"):
                facts.append(f"{tag}={normalize_text(child.text or '')}")
            elif tag == "link":
                facts.append(f"link={child.get('rel')} {child.get('href')}")
            elif tag in ("content", "summary"):
                text, links = page_text_and_links(child.text or "")
                facts.append(f"{tag}-text={text}")
                facts.append(f"{tag}-links={' '.join(links)}")
            elif tag in ("category",):
                facts.append(f"category={child.get('term')}")
            elif tag == "author":
                facts.append("author=" + normalize_text("".join(child.itertext())))
        entries.append(facts)
    return head, entries


def _compare_feed(case, path, jdata, mdata):
    jr, mr = _xml_root(jdata), _xml_root(mdata)
    if isinstance(jr, Exception) or isinstance(mr, Exception):
        if isinstance(mr, Exception) and not isinstance(jr, Exception):
            return [Difference(case, path, "feed", f"mayfly's feed is not XML: {mr}")]
        return []
    jh, je = _feed_entries(jr)
    mh, me = _feed_entries(mr)
    diffs = []
    if jh != mh:
        diffs.append(Difference(case, path, "feed", "feed head: " + _word_diff(jh, mh)))
    if len(je) != len(me):
        diffs.append(Difference(case, path, "feed", f"{len(je)} entries in Jekyll's, {len(me)} in mayfly's"))
    for i, (a, b) in enumerate(zip(je, me)):
        if a != b:
            diffs.append(Difference(case, path, "feed", f"entry {i}: " + _word_diff(a, b)))
    return diffs


def _compare_sitemap(case, path, jdata, mdata):
    jr, mr = _xml_root(jdata), _xml_root(mdata)
    if isinstance(mr, Exception):
        return [Difference(case, path, "sitemap", f"mayfly's sitemap is not XML: {mr}")]
    if isinstance(jr, Exception):
        return []
    jl = sorted(x.text.strip() for x in jr.iter(SITEMAP + "loc"))
    ml = sorted(x.text.strip() for x in mr.iter(SITEMAP + "loc"))
    if jl != ml:
        only_j = sorted(set(jl) - set(ml))
        only_m = sorted(set(ml) - set(jl))
        return [Difference(case, path, "sitemap", f"only in Jekyll's: {only_j}; only in mayfly's: {only_m}")]
    return []


def _compare_html(case, path, jdata, mdata):
    jt, jl = page_text_and_links(jdata.decode("utf-8", "replace"))
    mt, ml = page_text_and_links(mdata.decode("utf-8", "replace"))
    diffs = []
    if jt != mt:
        diffs.append(Difference(case, path, "text", _word_diff(jt.split(" "), mt.split(" "))))
    if jl != ml:
        diffs.append(Difference(case, path, "links", _word_diff(jl, ml)))
    return diffs


_SOURCE_MAP_RE = re.compile(rb"/\*# sourceMappingURL=[^*]*\*/\s*$")


def _strip_source_map(data):
    return _SOURCE_MAP_RE.sub(b"", data)


TEXT_EXTENSIONS = {".css", ".js", ".txt", ".xml", ".json", ".map", ".svg", ".csv", ".yml"}


def compare_sites(case, jekyll_dir, mayfly_dir):
    jf, mf = list_files(jekyll_dir), list_files(mayfly_dir)
    diffs = [Difference(case, p, "only-jekyll", "Jekyll writes it, mayfly does not")
             for p in sorted(jf - mf)]
    diffs += [Difference(case, p, "only-mayfly", "mayfly writes it, Jekyll does not")
              for p in sorted(mf - jf)]
    compared = {"html": 0, "feed": 0, "sitemap": 0, "other": 0}
    for p in sorted(jf & mf):
        jdata = _read(os.path.join(jekyll_dir, p))
        mdata = _read(os.path.join(mayfly_dir, p))
        ext = os.path.splitext(p)[1].lower()
        if ext in (".html", ".htm"):
            compared["html"] += 1
            diffs += _compare_html(case, p, jdata, mdata)
        elif os.path.basename(p) == "feed.xml" or p.endswith("/feed.xml") or ext == ".atom":
            compared["feed"] += 1
            diffs += _compare_feed(case, p, jdata, mdata)
        elif os.path.basename(p) == "sitemap.xml":
            compared["sitemap"] += 1
            diffs += _compare_sitemap(case, p, jdata, mdata)
        else:
            compared["other"] += 1
            if jdata == mdata:
                continue
            if ext == ".css":
                # Jekyll's Sass converter ends with a source map comment; mayfly writes no maps
                # (allowed-differences.txt lists the .map files).
                jdata, mdata = _strip_source_map(jdata), _strip_source_map(mdata)
            if ext in TEXT_EXTENSIONS:
                a = jdata.decode("utf-8", "replace").split()
                b = mdata.decode("utf-8", "replace").split()
                if a != b:
                    diffs.append(Difference(case, p, "bytes", _word_diff(a, b, limit=3)))
            else:
                diffs.append(Difference(case, p, "bytes", f"binary files differ ({len(jdata)} vs {len(mdata)} bytes)"))
    return diffs, compared
