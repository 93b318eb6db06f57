// Renders the UI's Mustache templates (web/templates/*.mustache, embedded)
// with kainjow/mustache.
//
// Promises:
//  - {{name}} is HTML-escaped (& < > " '). The templates never use
//    {{{triple}}} or {{& name}}, so no value reaches the page unescaped;
//    composition goes through partials, which are our templates.
//  - Every template is available to every other as the partial {{> @name}};
//    no data key starts with '@', so data never shadows a partial.
//  - A template that does not exist or does not parse is kInternal: a bug
//    of the build, never of the request.
#pragma once

#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::web {

using Data = kainjow::mustache::data;
using List = kainjow::mustache::list;

// Renders template `name` alone (an htmx fragment).
Result<std::string> RenderTemplate(std::string_view name, Data data);
// Renders the page layout with template `page` as its {{> @content}} and
// `title` in the <title>.
Result<std::string> RenderPage(std::string_view page, std::string_view title, Data data);

}  // namespace lakehouse::web
