// yaml_document: a parsed YAML text plus the raw text it came from, so that positions can be
// computed for any node, including the first character inside a quoted or block scalar.
// INTERNAL to rulebook/: this header includes yaml-cpp and must not be included by other modules.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "rulebook/diagnostics.h"
#include "rulebook/model.h"

namespace rb::rulebook {

enum class scalar_style { plain, single_quoted, double_quoted, literal, folded };

// Where a scalar's content starts in the file and whether the content maps 1:1 onto that line.
struct scalar_location {
  position content_pos;
  bool single_line = true;
  scalar_style style = scalar_style::plain;
};

class yaml_document {
 public:
  yaml_document(std::string file, std::string text);

  const std::string& file() const { return file_; }
  const std::string& text() const { return text_; }

  // Parses the text; a syntax error becomes a diagnostic and nullopt. An empty text is a null
  // node. More than one document is an error too (PyYAML's safe_load accepts exactly one).
  std::optional<YAML::Node> parse(diagnostics& diags) const;

  position at(const YAML::Mark& m) const;
  position at(const YAML::Node& n) const { return at(n.Mark()); }
  position at_offset(std::size_t offset) const;
  position at_line_column(int line, int column) const;  // both 0-based, like YAML::Mark
  position file_start() const { return {file_, 1, 1}; }

  // A null value written as nothing (`key:`) has the mark of the next token; callers pass the key
  // so the error points at the key instead.
  position value_at(const YAML::Node& value, const YAML::Node& key) const;

  scalar_location locate_scalar(const YAML::Node& n) const;

 private:
  std::string file_;
  std::string text_;
  std::vector<std::size_t> line_starts_;
};

// The YAML type of a node after PyYAML scalar resolution: "a mapping", "a list", "a string",
// "an integer", "a float", "a boolean", "null".
std::string describe(const YAML::Node& n);
std::string describe(const value& v);

// Converts a node to a value with PyYAML types (see yaml_scalar.h), `<<` merge keys, and the
// explicit tags !!str/!!int/!!float/!!bool/!!null; other tags (e.g. !vault) are errors.
// When `vars` is given, strings containing `{{ }}` are rendered with them (see templating.h).
struct to_value_options {
  const value* vars = nullptr;
  std::string_view template_context;  // e.g. "source argument", used in messages
};
value to_value(const YAML::Node& n, const yaml_document& doc, diagnostics& diags,
               const to_value_options& opts = {});

}  // namespace rb::rulebook
