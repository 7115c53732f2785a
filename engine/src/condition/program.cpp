// The public face of the module: compile()/compile_expression() and the program/expression
// handles. Everything that can fail happens in compile_text(); evaluation only reads.
#include <exception>

#include "condition/compiler.h"
#include "condition/condition.h"
#include "condition/evaluator.h"
#include "condition/may_match.h"

namespace rb::condition {

class program_impl {
 public:
  compiled c;
  std::string text;
  std::vector<bool> binding_dependent;  // per node, for may_match
};

class expression_impl {
 public:
  compiled c;
  std::string text;
};

program::program(std::unique_ptr<program_impl> impl) : impl_(std::move(impl)) {}
program::program(program&&) noexcept = default;
program& program::operator=(program&&) noexcept = default;
program::~program() = default;

bool program::matches(const scope& s) const noexcept {
  return eval_bool(impl_->c.data, impl_->c.data.root, s) == tri::yes;
}

bool program::may_match(const value& subject) const noexcept {
  if (impl_->c.referenced_names.empty()) return matches(scope{&subject, {}, nullptr});
  return condition::may_match(impl_->c.data, impl_->binding_dependent, subject);
}

const std::optional<std::string>& program::assigned_name() const noexcept {
  return impl_->c.assigned_name;
}

subject_kind program::subject() const noexcept { return impl_->c.subject; }

const std::vector<std::string>& program::referenced_names() const noexcept {
  return impl_->c.referenced_names;
}

const std::string& program::text() const noexcept { return impl_->text; }

bool program::reads_meta() const noexcept {
  const auto& d = impl_->c.data;
  for (const auto& n : d.nodes) {
    if (n.code == opcode::bound_all) return true;
    if (n.code != opcode::subject_path && n.code != opcode::bound_path) continue;
    const auto& steps = d.paths[n.aux].steps;
    if (steps.empty() || (steps[0].type == path_step::kind::key && steps[0].key == "meta"))
      return true;
  }
  return false;
}

std::variant<program, error> compile(std::string_view text, const compile_options& options) {
  try {
    auto impl = std::make_unique<program_impl>();
    impl->c = compile_text(text, options, parse_mode::condition);
    impl->text = std::string(text);
    if (!impl->c.referenced_names.empty())
      impl->binding_dependent = binding_dependence(impl->c.data);
    return program(std::move(impl));
  } catch (const error& e) {
    return e;
  } catch (const std::exception& e) {
    return error{std::string("internal error: ") + e.what(), 1};
  }
}

std::optional<std::string> assigned_name_of(std::string_view text) noexcept {
  try {
    return parse(text, parse_mode::condition).assigned_name;
  } catch (...) {
    return std::nullopt;
  }
}

expression::expression(std::unique_ptr<expression_impl> impl) : impl_(std::move(impl)) {}
expression::expression(expression&&) noexcept = default;
expression& expression::operator=(expression&&) noexcept = default;
expression::~expression() = default;

std::optional<value> expression::evaluate(const scope& s) const noexcept {
  try {
    operand r;
    eval_value(impl_->c.data, impl_->c.data.root, s, r);
    if (!r.defined()) return std::nullopt;
    return *r.ref;
  } catch (...) {  // copying the result can only fail on allocation
    return std::nullopt;
  }
}

const std::string& expression::text() const noexcept { return impl_->text; }

std::variant<expression, error> compile_expression(std::string_view text,
                                                   const compile_options& options) {
  try {
    auto impl = std::make_unique<expression_impl>();
    impl->c = compile_text(text, options, parse_mode::expression);
    impl->text = std::string(text);
    return expression(std::move(impl));
  } catch (const error& e) {
    return e;
  } catch (const std::exception& e) {
    return error{std::string("internal error: ") + e.what(), 1};
  }
}

}  // namespace rb::condition
