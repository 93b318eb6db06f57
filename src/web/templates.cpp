// RenderTemplate and RenderPage: embedded templates rendered with every template as an @ partial.
#include "web/templates.h"

#include "web/assets.h"

namespace lakehouse::web {
namespace {

constexpr std::string_view kPrefix = "templates/";
constexpr std::string_view kSuffix = ".mustache";

Result<std::string_view> TemplateText(std::string_view name) {
  auto text = FindAsset(std::string(kPrefix) + std::string(name) + std::string(kSuffix));
  if (!text) return Status::Internal("no template named " + std::string(name));
  return *text;
}

// Offers every template as a partial, {{> @name}}. kainjow resolves a
// partial through the data (a string value of that name would even be parsed
// as a template), so partials live under names no data key uses: '@' first.
void AddPartials(Data& data) {
  for (const auto& file : EmbeddedFiles()) {
    if (!file.path.starts_with(kPrefix) || !file.path.ends_with(kSuffix)) continue;
    std::string name(
        file.path.substr(kPrefix.size(), file.path.size() - kPrefix.size() - kSuffix.size()));
    std::string_view text = file.content;
    data.set("@" + name, kainjow::mustache::partial([text] { return std::string(text); }));
  }
}

Result<std::string> Render(std::string_view text, std::string_view name, Data& data) {
  kainjow::mustache::mustache tmpl{std::string(text)};
  if (!tmpl.is_valid()) {
    return Status::Internal("template " + std::string(name) + ": " + tmpl.error_message());
  }
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) {
    return Status::Internal("template " + std::string(name) + ": " + tmpl.error_message());
  }
  return out;
}

}  // namespace

Result<std::string> RenderTemplate(std::string_view name, Data data) {
  LH_ASSIGN_OR_RETURN(auto text, TemplateText(name));
  AddPartials(data);
  return Render(text, name, data);
}

Result<std::string> RenderPage(std::string_view page, std::string_view title, Data data) {
  LH_ASSIGN_OR_RETURN(auto text, TemplateText(page));
  LH_ASSIGN_OR_RETURN(auto layout, TemplateText("layout"));
  AddPartials(data);
  std::string_view content = text;
  data.set("@content", kainjow::mustache::partial([content] { return std::string(content); }));
  data.set("title", std::string(title));
  return Render(layout, "layout", data);
}

}  // namespace lakehouse::web
