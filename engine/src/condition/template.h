// template: action-argument templating, `{{ expr | filter(...) }}` as ansible-rulebook renders
// action arguments with Jinja2's NativeEnvironment (StrictUndefined).
//
// compile_template() walks a value tree (the arguments of one action) once, when the rulebook
// loads: every string holding both "{{" and "}}" is split into text and expressions, and each
// expression is compiled with the condition module's expression compiler (template mode: every
// name is a top-level name of the context, `|` filters bind tighter than operators). render()
// evaluates the compiled expressions against a context and never re-parses text.
//
// Rendering follows Jinja's NativeEnvironment: a string that is one `{{ expr }}` and nothing
// else (`{{- x -}}` whitespace control and one trailing newline allowed) yields the value itself
// (an int stays an int, a mapping a mapping); otherwise the pieces are joined with Python's
// str(). A resulting string is then read back with Python's ast.literal_eval when it is a Python
// literal, as NativeEnvironment does ("42" becomes 42, "{{ a }}, {{ b }}" a list). Undefined names
// and paths are errors, except where `default` replaces them. See docs/conditions.md, section
// "Templating action arguments", for the filters and the differences from Jinja2.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/value.h"

namespace rb::condition {

// A value tree (action arguments) whose strings holding "{{" and "}}" are compiled once.
class compiled_template {
 public:
  class impl;

  compiled_template();  // an empty template: renders null
  explicit compiled_template(std::shared_ptr<const impl> impl) noexcept;

  // Renders against `context`: a JSON object whose members are the top-level names a template
  // may use (event or events, fact, every variable from --vars/--env-vars, ...). Returns the
  // rendered tree, or an error message naming what failed (e.g. "undefined name 'foo'",
  // "'event.x' is undefined", "filter 'int': cannot convert 'abc'"), followed by where:
  // "(in msg: {{ foo }})". Never throws.
  std::variant<value, std::string> render(const value& context) const;
  bool is_constant() const noexcept;  // nothing to render: render returns the tree as is
  // Top-level names the templates refer to (so the caller can skip building unused context),
  // each once, in order of first appearance.
  const std::vector<std::string>& referenced_names() const noexcept;

  // The tree as compiled (expressions without names, like `{{ 'a' | upper }}`, already folded):
  // when is_constant(), use it instead of render() to avoid a copy.
  const value& tree() const noexcept;

 private:
  std::shared_ptr<const impl> impl_;  // immutable once compiled: copies share it
};

// Compiles every string in `tree` (recursively through objects and arrays; keys are not templated).
// Errors (syntax, unknown filter, `{% %}` statements, which are not supported) come back with the
// message and the byte offset inside the offending string, plus that string's path in the tree
// (e.g. "msg" or "event.items[2]").
struct template_error {
  std::string path;
  std::size_t offset = 0;
  std::string message;
};

std::variant<compiled_template, template_error> compile_template(const value& tree);

// ansible-rulebook renders a string only when it contains both "{{" and "}}".
bool needs_rendering(std::string_view text) noexcept;

}  // namespace rb::condition
