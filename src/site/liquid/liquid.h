// The Liquid template engine: include this one header.
//
//   using namespace mayfly::site::liquid;
//   Environment env = Environment::standard();            // copy, then add host filters/tags
//   env.register_filter("shout", [](const Value& in, auto args, const KwArgs&, Context&) {
//     return Value(in.to_string() + "!");
//   }, 0, 0);
//   Partials partials([](std::string_view name) -> std::optional<PartialSource> { ... }, env);
//   auto tpl = Template::parse(source, "_layouts/post.html", env);
//   Context ctx(Value(Hash{{"page", page_hash}, {"site", site_hash}}), env);
//   ctx.set_partials(&partials);
//   std::string html = tpl->render(ctx);
#pragma once

#include "site/liquid/context.h"
#include "site/liquid/date.h"
#include "site/liquid/environment.h"
#include "site/liquid/error.h"
#include "site/liquid/expression.h"
#include "site/liquid/template.h"
#include "site/liquid/value.h"
