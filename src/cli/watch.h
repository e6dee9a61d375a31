#pragma once
// `mayfly serve SRC --watch`: build a blog source in memory, serve it, rebuild when the
// source changes (cli/source_watcher.h), swap the served bundle without dropping connections
// (hosted/bundle_slot.h), and reload open pages (live reload, below).
//
// Live reload: in watch mode every HTML page gets a small script before </body> that opens
// an EventSource on /__mayfly/livereload. The server answers that path (hosted/worker.cc)
// with one event carrying the bundle's generation and ends the response; EventSource
// reconnects after the event's retry delay, and the page reloads when the generation differs
// from the one it first saw. Rebuilds keep Markdown conversions of unchanged text
// (site::ConversionCache) and skip compression, so a rebuild costs reading, Liquid and
// bundling only.
#include <string>

#include "cli/site_source.h"
#include "hosted/server.h"

namespace mayfly::cli {

// Serves until SIGINT/SIGTERM; returns the exit code. The first build's errors are fatal;
// a later build's are printed and the last good site stays served.
int serve_watch(const std::string& source, const BundleFlags& flags, hosted::ServerOptions server);

// The script injected into HTML pages in watch mode.
extern const char kLiveReloadScript[];

// html with the live-reload script inserted before its last </body> (or appended).
std::string inject_live_reload(std::string_view html);

}  // namespace mayfly::cli
