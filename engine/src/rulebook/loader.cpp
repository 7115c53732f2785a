// Entry points: read the file, parse YAML, run the schema checks, hand back a load_result.
// Nothing escapes as an exception from load_file/load_text: every failure becomes a diagnostic.
#include "rulebook/loader.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "rulebook/schema.h"

namespace rb::rulebook {

namespace {

bool read_whole_file(const std::string& path, std::string& out, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot open file";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    why = "cannot read file";
    return false;
  }
  out = ss.str();
  return true;
}

bool looks_like_json(const std::string& path, const std::string& text) {
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) return true;
  const auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (text[first] == '{' || text[first] == '[');
}

// JSON is parsed as JSON when it is valid JSON (exact numbers, tabs allowed); otherwise as YAML,
// which reports the error with a position.
value read_data(const std::string& path, const std::string& text, bool& is_empty) {
  is_empty = false;
  if (looks_like_json(path, text)) {
    try {
      return value::parse(text);
    } catch (const value::parse_error&) {
      // fall through to YAML
    }
  }
  yaml_document doc(path, text);
  diagnostics diags;
  value v;
  if (auto root = doc.parse(diags)) {
    if (root->IsNull()) is_empty = true;
    v = to_value(*root, doc, diags);
  }
  if (diags.error_count() != 0) throw std::runtime_error(to_string(diags.errors().front()));
  return v;
}

}  // namespace

load_result load_text(const std::string& text, const std::string& display_name, const value& vars) {
  load_result result;
  result.model.file = display_name;
  diagnostics diags;
  try {
    const yaml_document doc(display_name, text);
    const value empty = value::object();
    load_context ctx{doc, diags, vars.is_object() ? vars : empty};
    if (auto root = doc.parse(diags)) result.model.rulesets = parse_rulebook(ctx, *root);
  } catch (const std::exception& e) {
    // A bug or an exhausted resource; still a diagnostic, never an exception for the caller.
    diags.error({display_name, 0, 0}, std::string("internal error while loading: ") + e.what());
  }
  result.errors = std::move(diags.errors());
  result.warnings = std::move(diags.warnings());
  return result;
}

load_result load_file(const std::string& path, const value& vars) {
  std::string text, why;
  if (!read_whole_file(path, text, why)) {
    load_result result;
    result.model.file = path;
    result.errors.push_back({{path, 0, 0}, why + " (rulebook not found or not readable)"});
    return result;
  }
  return load_text(text, path, vars);
}

value load_vars_file(const std::string& path) {
  std::string text, why;
  if (!read_whole_file(path, text, why)) throw std::runtime_error(path + ": " + why);
  bool empty = false;
  value v = read_data(path, text, empty);
  if (!v.is_object()) {
    throw std::runtime_error(path +
                             ":1:1: a vars file must be a mapping of names to values, "
                             "found " +
                             (empty ? std::string("an empty document") : describe(v)));
  }
  return v;
}

value load_data_file(const std::string& path) {
  std::string text, why;
  if (!read_whole_file(path, text, why)) throw std::runtime_error(path + ": " + why);
  bool empty = false;
  return read_data(path, text, empty);
}

}  // namespace rb::rulebook
