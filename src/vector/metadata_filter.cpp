// MetadataFilter: parses field conditions (eq, ne, lt, lte, gt, gte, in) and matches item metadata.
#include "vector/metadata_filter.h"

namespace lakehouse::vector {
namespace {

bool Comparable(const nlohmann::json& a, const nlohmann::json& b) {
  return (a.is_number() && b.is_number()) || (a.is_string() && b.is_string());
}

bool Equal(const nlohmann::json& a, const nlohmann::json& b) {
  // 80 and 80.0 are the same number.
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

}  // namespace

Result<MetadataFilter> MetadataFilter::ParseText(std::string_view text) {
  if (text.empty()) return MetadataFilter();
  nlohmann::json filter = nlohmann::json::parse(text, nullptr, false);
  if (filter.is_discarded()) return Status::InvalidArgument("\"filter\" is not JSON");
  return Parse(filter);
}

Result<MetadataFilter> MetadataFilter::Parse(const nlohmann::json& filter) {
  if (!filter.is_object()) return Status::InvalidArgument("\"filter\" must be an object");
  MetadataFilter out;
  for (const auto& [field, condition] : filter.items()) {
    const std::string where = "filter on \"" + field + "\": ";
    if (!condition.is_object()) {
      if (condition.is_array() || condition.is_null()) {
        return Status::InvalidArgument(where + "compare with a string, number or boolean");
      }
      out.conditions_.push_back({field, Op::kEq, condition});
      continue;
    }
    if (condition.empty()) return Status::InvalidArgument(where + "no operator given");
    for (const auto& [name, value] : condition.items()) {
      Op op;
      if (name == "eq") {
        op = Op::kEq;
      } else if (name == "ne") {
        op = Op::kNe;
      } else if (name == "lt") {
        op = Op::kLt;
      } else if (name == "lte") {
        op = Op::kLte;
      } else if (name == "gt") {
        op = Op::kGt;
      } else if (name == "gte") {
        op = Op::kGte;
      } else if (name == "in") {
        op = Op::kIn;
      } else {
        return Status::InvalidArgument(where + "unknown operator \"" + name +
                                       "\" (eq, ne, lt, lte, gt, gte, in)");
      }
      if (op == Op::kIn ? !value.is_array() : (value.is_structured() || value.is_null())) {
        return Status::InvalidArgument(
            where + "\"" + name + "\" needs " +
            (op == Op::kIn ? "an array" : "a string, number or boolean"));
      }
      if ((op == Op::kLt || op == Op::kLte || op == Op::kGt || op == Op::kGte) &&
          !(value.is_number() || value.is_string())) {
        return Status::InvalidArgument(where + "\"" + name + "\" compares numbers or strings");
      }
      out.conditions_.push_back({field, op, value});
    }
  }
  return out;
}

bool MetadataFilter::Matches(const nlohmann::json& metadata) const {
  for (const auto& c : conditions_) {
    auto it = metadata.find(c.field);
    if (it == metadata.end()) return false;
    const nlohmann::json& v = *it;
    switch (c.op) {
      case Op::kEq:
        if (!Equal(v, c.value)) return false;
        break;
      case Op::kNe:
        if (v.type() != c.value.type() && !Comparable(v, c.value)) return false;
        if (Equal(v, c.value)) return false;
        break;
      case Op::kIn: {
        bool any = false;
        for (const auto& option : c.value) any = any || Equal(v, option);
        if (!any) return false;
        break;
      }
      default: {
        if (!Comparable(v, c.value)) return false;
        const bool numbers = v.is_number();
        const int order = numbers ? (v.get<double>() < c.value.get<double>()   ? -1
                                     : v.get<double>() > c.value.get<double>() ? 1
                                                                               : 0)
                                  : v.get<std::string>().compare(c.value.get<std::string>());
        const bool ok = c.op == Op::kLt    ? order < 0
                        : c.op == Op::kLte ? order <= 0
                        : c.op == Op::kGt  ? order > 0
                                           : order >= 0;
        if (!ok) return false;
      }
    }
  }
  return true;
}

}  // namespace lakehouse::vector
