// condition: ansible-rulebook's condition language, compiled once into a program.
//
// compile() turns the text of one condition (`event.i > 3 and event.name is match("a.*")`) into a
// `program`. Compiling is the only place that may fail; evaluation never throws and never
// allocates on the common paths. `vars.x` is replaced by its value at compile time; a missing
// variable is a compile error naming it.
//
// Semantics (docs/conditions.md): `and`/`or` share one precedence level, left to right; a missing
// attribute makes a comparison not match; `3 == 3.0` but `3 != "3"`; regexes are RE2.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/value.h"

namespace rb::condition {

// A compile error. `column` is 1-based within the condition text.
struct error {
  std::string message;
  std::size_t column = 1;
};

struct compile_options {
  const value* vars = nullptr;  // variables for `vars.` paths; nullptr means no variables
  // The names the rule's conditions bind (`m_<i>` or the `<<` name). `events.x.y` / `facts.x.y`
  // with `x` not among them is the subject's own field `x.y`, as ansible-rulebook's Drools layer
  // reads a prefix that names no binding. nullptr: every name counts as bound.
  const std::vector<std::string>* bound_names = nullptr;
};

// Names bound by earlier conditions of a multi-condition rule. `events.x.a` / `facts.x.a` look up
// the binding named `x` (bare, like `m_0` or the name given with `<<`) or, equally, one named
// `events.x` / `facts.x`; a missing binding or a null value pointer counts as undefined.
using binding = std::pair<std::string_view, const value*>;

// What an evaluation sees.
struct scope {
  const value* subject = nullptr;       // the object under test: `event.` and `fact.`
  std::span<const binding> bound = {};  // `events.<name>` / `facts.<name>` lookups
  const value* vars = nullptr;          // templating only; conditions resolve vars at compile
};

// Which prefix a condition tests (`event.`/`events.` vs `fact.`/`facts.`).
enum class subject_kind { event, fact };

class program_impl;

class program {
 public:
  program(program&&) noexcept;
  program& operator=(program&&) noexcept;
  ~program();

  // True when the condition holds for `s`. Never throws.
  bool matches(const scope& s) const noexcept;

  // False when no values of the `events.`/`facts.` names this condition reads could make it hold
  // for `subject` (its binding-free part already fails); equals matches() without such names.
  bool may_match(const value& subject) const noexcept;

  // `events.name << <condition>` / `facts.name << ...`: the name assigned (bare: `name`).
  const std::optional<std::string>& assigned_name() const noexcept;
  subject_kind subject() const noexcept;
  // Names of `events.<name>` / `facts.<name>` this condition reads (for multi-event joins), bare
  // (`name`), each once, in order of first appearance.
  const std::vector<std::string>& referenced_names() const noexcept;
  // The original text, for messages.
  const std::string& text() const noexcept;
  // True when the condition may read an event's or fact's `meta` (or the whole of one).
  bool reads_meta() const noexcept;

  explicit program(std::unique_ptr<program_impl> impl);

 private:
  std::unique_ptr<program_impl> impl_;
};

std::variant<program, error> compile(std::string_view text, const compile_options& options = {});

// The name `events.name << ...` assigns at the start of condition `text`, found without compiling
// it; nullopt when there is none or the text does not parse (compile() reports that).
std::optional<std::string> assigned_name_of(std::string_view text) noexcept;

// An expression (no top-level assignment), evaluated to a value; used by `{{ }}` templating.
// Same grammar as conditions, except that a bare identifier path (`i`, `foo.bar[0]`) is a
// variable looked up in scope::vars. `vars.x` is resolved at compile time when
// compile_options::vars is set, otherwise at run time against scope::vars.
class expression_impl;

class expression {
 public:
  expression(expression&&) noexcept;
  expression& operator=(expression&&) noexcept;
  ~expression();

  // The value, or nullopt when it refers to something undefined (the caller reports it).
  std::optional<value> evaluate(const scope& s) const noexcept;
  const std::string& text() const noexcept;

  explicit expression(std::unique_ptr<expression_impl> impl);

 private:
  std::unique_ptr<expression_impl> impl_;
};

std::variant<expression, error> compile_expression(std::string_view text,
                                                   const compile_options& options = {});

}  // namespace rb::condition
