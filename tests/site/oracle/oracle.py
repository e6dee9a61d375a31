#!/usr/bin/env python3
"""The Jekyll oracle test: builds sites with Debian's Jekyll and with `mayfly build` and compares
the output (see compare.py for what is compared).

  oracle.py --mayfly BUILD/mayfly [--case NAME]... [--keep] [--list-diffs]

Cases:
  jekyll-new   the site `jekyll new --skip-bundle` makes (minima + jekyll-feed), made at test
               time; the Gemfile is deleted, Jekyll builds with Debian's gems, offline.
  fixture-blog tests/site/oracle/fixture-blog: permalink styles, pagination, includes, data
               files, excerpts, categories/tags, footnotes, code, drafts, collections, ...
               (permalink: pretty, built with --drafts)
  fixture-*    the same blog with permalink none, ordinal (and --future), weekdate, custom
  octopress    tests/site/oracle/octopress: an Octopress 2 shaped site (_config.yml at the root,
               source: source, destination: public), built from the root
  octopress    tests/site/oracle/octopress: an Octopress-shaped site (source/ -> public/).

Every difference fails the test unless allowed-differences.txt lists it:
  CASE  PATH-GLOB  KIND  reason...
An allow-list line that matches nothing fails too, so the list stays honest.
Exit: 0 all equal or allowed, 1 differences, 77 Jekyll is not installed (CTest: skipped).
"""

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402

ALLOW_FILE = os.path.join(HERE, "allowed-differences.txt")
ENV = dict(os.environ, TZ="UTC", LANG="C.UTF-8", LC_ALL="C.UTF-8", JEKYLL_ENV="development",
           NO_COLOR="1", JEKYLL_NO_BUNDLER_REQUIRE="true")


def run(cmd, cwd, timeout, what):
    t = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"oracle: {what} timed out after {timeout} s: {' '.join(cmd)}")
    if p.returncode != 0:
        sys.stdout.write(p.stdout.decode("utf-8", "replace"))
        raise SystemExit(f"oracle: {what} failed with exit code {p.returncode}: {' '.join(cmd)}")
    return p.stdout.decode("utf-8", "replace"), time.monotonic() - t


def prepare_jekyll_new(work):
    src = os.path.join(work, "src")
    run(["jekyll", "new", "--skip-bundle", src], work, 60, "jekyll new")
    # The post's date is the second `jekyll new` ran in. Jekyll replaces a front-matter date
    # equal (to the second) to site.time with the file name's date (Document#modify_date), so
    # building within that second would change the date; wait for the next second.
    time.sleep(1.2)
    # The brief: no Gemfile, no bundler; Jekyll finds minima and jekyll-feed among Debian's gems.
    for f in ("Gemfile", "Gemfile.lock"):
        if os.path.exists(os.path.join(src, f)):
            os.remove(os.path.join(src, f))
    return src


def prepare_copy(name):
    def prepare(work):
        src = os.path.join(work, "src")
        shutil.copytree(os.path.join(HERE, name), src, symlinks=True)
        return src
    return prepare


def prepare_with_permalink(style):
    """The fixture blog with another site-wide permalink style."""
    def prepare(work):
        src = prepare_copy("fixture-blog")(work)
        cfg = os.path.join(src, "_config.yml")
        with open(cfg, encoding="utf-8") as f:
            text = f.read()
        assert "\npermalink: pretty\n" in text
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(text.replace("\npermalink: pretty\n", f"\npermalink: {style}\n"))
        return src
    return prepare


# name -> (prepare(work) -> source root, extra build args, output dir relative to the root or
# None for `-d`, site source relative to the root)
CASES = {
    "jekyll-new": (prepare_jekyll_new, [], None),
    "fixture-blog": (prepare_copy("fixture-blog"), ["--drafts"], None),
    # The same blog with the other permalink styles (jekyll-new has the default, date).
    "fixture-none": (prepare_with_permalink("none"), [], None),
    "fixture-ordinal": (prepare_with_permalink("ordinal"), ["--future"], None),
    "fixture-weekdate": (prepare_with_permalink("weekdate"), [], None),
    "fixture-custom": (prepare_with_permalink("/blog/:year/:month/:day/:title/"), [], None),
    "octopress": (prepare_copy("octopress"), [], "public"),
}


def build_case(name, mayfly, work):
    prepare, extra, outdir = CASES[name]
    src = prepare(work)
    # Each side builds its own copy of the source, so neither sees the other's caches or output.
    jsrc, msrc = os.path.join(work, "jekyll-src"), os.path.join(work, "mayfly-src")
    shutil.copytree(src, jsrc, symlinks=True)
    shutil.copytree(src, msrc, symlinks=True)
    if outdir is None:
        jout, mout = os.path.join(work, "jekyll-out"), os.path.join(work, "mayfly-out")
        jcmd = ["jekyll", "build", "--disable-disk-cache", "-s", jsrc, "-d", jout] + extra
        mcmd = [mayfly, "build", msrc, "-d", mout] + extra
    else:
        # Octopress style: _config.yml names source and destination; build from the site root.
        jout, mout = os.path.join(jsrc, outdir), os.path.join(msrc, outdir)
        jcmd = ["jekyll", "build", "--disable-disk-cache"] + extra
        mcmd = [mayfly, "build"] + extra
    _, jtime = run(jcmd, jsrc, 120, f"{name}: jekyll build")
    _, mtime = run(mcmd, msrc, 60, f"{name}: mayfly build")
    return jout, mout, jtime, mtime


def load_allow_list():
    rules = []
    with open(ALLOW_FILE, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 4:
                raise SystemExit(f"{ALLOW_FILE}:{lineno}:1: want CASE PATH-GLOB KIND reason")
            rules.append({"case": parts[0], "path": parts[1], "kind": parts[2], "reason": parts[3],
                          "where": f"{ALLOW_FILE}:{lineno}", "used": False})
    return rules


def allowed(rules, d):
    for r in rules:
        if (fnmatch.fnmatchcase(d.case, r["case"]) and fnmatch.fnmatchcase(d.path, r["path"])
                and fnmatch.fnmatchcase(d.kind, r["kind"])):
            r["used"] = True
            return r
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mayfly", required=True, help="the mayfly binary")
    ap.add_argument("--case", action="append", choices=sorted(CASES), help="run only these cases")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--show-allowed", action="store_true", help="print allowed differences too")
    args = ap.parse_args()
    if shutil.which("jekyll") is None:
        print("oracle: jekyll is not installed (scripts/install-deps test); skipped")
        return 77
    cases = args.case or list(CASES)
    rules = load_allow_list()
    mayfly = os.path.abspath(args.mayfly)
    work_root = tempfile.mkdtemp(prefix="mayfly-oracle-")
    failures = 0
    total_allowed = 0
    try:
        for name in cases:
            work = os.path.join(work_root, name)
            os.makedirs(work)
            jout, mout, jtime, mtime = build_case(name, mayfly, work)
            diffs, counted = compare.compare_sites(name, jout, mout)
            bad = []
            for d in diffs:
                r = allowed(rules, d)
                if r is None:
                    bad.append(d)
                else:
                    total_allowed += 1
                    if args.show_allowed:
                        print(f"  allowed ({r['where']}): {d}")
            print(f"{name}: compared {counted['html']} HTML pages, {counted['feed']} feeds, "
                  f"{counted['sitemap']} sitemaps, {counted['other']} other files; "
                  f"{len(diffs) - len(bad)} allowed differences, {len(bad)} failing "
                  f"(jekyll {jtime:.2f} s, mayfly {mtime:.2f} s)")
            for d in bad:
                print(f"  DIFF {d}")
            failures += len(bad)
        for r in rules:
            if not r["used"] and (r["case"] == "*" or any(fnmatch.fnmatchcase(c, r["case"]) for c in cases)):
                print(f"{r['where']}: allow-list entry matches no difference: "
                      f"{r['case']} {r['path']} {r['kind']}")
                failures += 1
    finally:
        if args.keep:
            print(f"oracle: kept {work_root}")
        else:
            shutil.rmtree(work_root, ignore_errors=True)
    print(f"oracle: {'FAILED' if failures else 'passed'} "
          f"({failures} failing, {total_allowed} allowed differences)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
