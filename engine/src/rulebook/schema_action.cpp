// Actions: a one-key mapping `<action name>: <args mapping or null>`, each action's arguments
// checked against the schema's definition for that action (names, types, required ones).
#include "rulebook/schema.h"

namespace rb::rulebook {

namespace {

enum arg_type : unsigned {
  t_string = 1u << 0,
  t_bool = 1u << 1,
  t_int = 1u << 2,
  t_number = 1u << 3,  // int or float
  t_object = 1u << 4,
  t_string_list = 1u << 5,
  t_any_list = 1u << 6,
};

struct arg_spec {
  std::string_view name;
  unsigned types;
};

struct action_schema {
  std::string_view name;
  bool null_args_ok;  // `print_event:` with nothing under it
  bool any_args;      // `none` takes any mapping
  std::vector<arg_spec> args;
  std::vector<std::string_view> required;
};

std::vector<arg_spec> controller_args() {
  return {{"name", t_string},         {"organization", t_string},
          {"job_args", t_object},     {"post_events", t_bool},
          {"set_facts", t_bool},      {"ruleset", t_string},
          {"var_root", t_string},     {"retry", t_bool},
          {"retries", t_int},         {"delay", t_int},
          {"include_events", t_bool}, {"lock", t_string},
          {"labels", t_string_list},  {"add_event_uuid_label", t_bool}};
}

std::vector<arg_spec> http_args(bool check) {
  std::vector<arg_spec> a = {{"url", t_string},
                             {"method", t_string},
                             {"headers", t_object | t_string},
                             {"body", t_string | t_object | t_any_list},
                             {"timeout", t_number | t_string},
                             {"verify_ssl", t_bool | t_string},
                             {"follow_redirects", t_bool | t_string},
                             {"ip_version", t_int | t_string},
                             {"proxy", t_string},
                             {"ca_file", t_string},
                             {"client_cert", t_string},
                             {"client_key", t_string},
                             {"max_body_bytes", t_int | t_string},
                             {"expect", t_object | t_string},
                             {"lock", t_string}};
  if (check) {
    for (std::string_view k : {"name", "datacenter", "region", "ruleset", "source_address"})
      a.push_back({k, t_string});
    a.push_back({"id", t_int | t_string});
    a.push_back({"post_events", t_bool | t_string});
  } else {
    a.push_back({"retries", t_int | t_string});
    a.push_back({"retry_delay", t_number | t_string});
  }
  return a;
}

const std::vector<action_schema>& schemas() {
  static const std::vector<action_schema> all = {
      {"run_playbook",
       false,
       false,
       {{"name", t_string},
        {"copy_files", t_bool},
        {"post_events", t_bool},
        {"set_facts", t_bool},
        {"ruleset", t_string},
        {"verbosity", t_int},
        {"var_root", t_string | t_object},
        {"json_mode", t_bool},
        {"retry", t_bool},
        {"retries", t_int},
        {"delay", t_number},
        {"timeout", t_number | t_string},  // rulebook's own: seconds, then status timeout
        {"extra_vars", t_object},
        {"lock", t_string}},
       {"name"}},
      {"run_module",
       false,
       false,
       {{"name", t_string},
        {"post_events", t_bool},
        {"set_facts", t_bool},
        {"verbosity", t_int},
        {"var_root", t_string | t_object},
        {"json_mode", t_bool},
        {"retry", t_bool},
        {"retries", t_int},
        {"delay", t_number},
        {"module_args", t_object | t_string},
        {"ruleset", t_string},
        {"timeout", t_number | t_string},  // rulebook's own: seconds, then status timeout
        {"extra_vars", t_object},
        {"lock", t_string}},
       {"name"}},
      {"run_job_template", false, false, controller_args(), {"name", "organization"}},
      {"run_workflow_template", false, false, controller_args(), {"name", "organization"}},
      // `lock` on the in-process actions below, and `var_root` on post_event and debug, are
      // rulebook's extensions (ansible-rulebook has them on run_* actions and print_event only):
      // with execution_strategy parallel, actions sharing the rendered lock string run one at a
      // time (docs/actions.md).
      {"post_event",
       false,
       false,
       {{"ruleset", t_string},
        {"event", t_object},
        {"var_root", t_string | t_object},
        {"lock", t_string}},
       {"event"}},
      {"set_fact",
       false,
       false,
       {{"ruleset", t_string}, {"fact", t_object}, {"lock", t_string}},
       {"fact"}},
      {"retract_fact",
       false,
       false,
       {{"ruleset", t_string}, {"fact", t_object}, {"partial", t_bool}, {"lock", t_string}},
       {"fact"}},
      {"print_event",
       true,
       false,
       {{"var_root", t_string | t_object}, {"pretty", t_bool}, {"lock", t_string}},
       {}},
      // rulebook's own: one line per message, no banner (docs/actions.md).
      {"print",
       false,
       false,
       {{"msg", t_string | t_string_list}, {"timestamp", t_bool}, {"lock", t_string}},
       {"msg"}},
      {"debug",
       true,
       false,
       {{"msg", t_string | t_string_list},
        {"var", t_string},
        {"var_root", t_string | t_object},
        {"lock", t_string}},
       {}},
      // rulebook's own: HTTP checks and notifications (docs/monitoring.md). Numbers and booleans
      // may also be templates ("{{ vars.timeout }}"), checked once rendered.
      {"http_check", true, false, http_args(true), {}},
      {"http_request", false, false, http_args(false), {"url"}},
      {"none", true, true, {}, {}},
      {"shutdown",
       true,
       false,
       {{"delay", t_number}, {"message", t_string}, {"kind", t_string}, {"lock", t_string}},
       {}},
  };
  return all;
}

std::string expected_text(unsigned types) {
  std::vector<std::string_view> parts;
  if (types & t_string) parts.push_back("a string");
  if (types & t_bool) parts.push_back("a boolean");
  if (types & t_int) parts.push_back("an integer");
  if (types & t_number) parts.push_back("a number");
  if (types & t_object) parts.push_back("a mapping");
  if (types & t_string_list) parts.push_back("a list of strings");
  if (types & t_any_list) parts.push_back("a list");
  return join(parts, " or ");
}

bool matches(const value& v, unsigned types) {
  if ((types & t_string) && v.is_string()) return true;
  if ((types & t_bool) && v.is_boolean()) return true;
  if ((types & t_int) && v.is_number_integer()) return true;
  if ((types & t_number) && v.is_number()) return true;
  if ((types & t_object) && v.is_object()) return true;
  if ((types & t_any_list) && v.is_array()) return true;
  if ((types & t_string_list) && v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_string()) return false;
    }
    return true;
  }
  return false;
}

}  // namespace

const std::vector<std::string_view>& known_actions() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> n;
    for (const auto& s : schemas()) n.push_back(s.name);
    return n;
  }();
  return names;
}

std::optional<action_spec> parse_action(load_context& ctx, const YAML::Node& node) {
  const position pos = ctx.doc.at(node);
  if (!node.IsMap()) {
    std::string msg =
        "expected an action (a mapping with one action name as its key), found " + describe(node);
    if (node.IsScalar()) {
      for (auto a : known_actions()) {
        if (node.Scalar() == a) msg += " (write '" + std::string(a) + ":' with a colon)";
      }
    }
    ctx.diags.error(pos, msg);
    return std::nullopt;
  }
  mapping_reader m(ctx, node, "action");
  if (m.entries().size() != 1) {
    std::vector<std::string_view> keys;
    for (const auto& e : m.entries()) keys.push_back(e.key);
    ctx.diags.error(pos, "an action is a mapping with exactly one key (the action name), found " +
                             std::to_string(keys.size()) +
                             (keys.empty() ? std::string() : " (" + join(keys) + ")") +
                             "; use 'actions:' with one '- ' item per action");
    if (m.entries().empty()) return std::nullopt;
  }
  const map_entry& e = m.entries().front();
  const action_schema* schema = nullptr;
  for (const auto& s : schemas()) {
    if (s.name == e.key) schema = &s;
  }
  const position key_pos = ctx.doc.at(e.key_node);
  if (!schema) {
    std::string msg = "unknown action " + quote(e.key);
    if (auto near = closest(e.key, known_actions()); !near.empty()) {
      msg += " (did you mean '" + near + "'?)";
    }
    ctx.diags.error(key_pos, msg + "; known actions: " + join(known_actions()));
    return std::nullopt;
  }
  action_spec a;
  a.type = e.key;
  a.pos = key_pos;
  const std::size_t errors_before = ctx.diags.error_count();
  if (e.value.IsNull()) {
    if (!schema->null_args_ok) {
      std::vector<std::string_view> req = schema->required;
      ctx.diags.error(key_pos,
                      e.key + ": expected a mapping of arguments (required: " + join(req) + ")");
      return std::nullopt;
    }
    return a;
  }
  if (!e.value.IsMap()) {
    ctx.diags.error(value_pos(ctx, e), e.key + ": expected a mapping of arguments" +
                                           std::string(schema->null_args_ok ? " or nothing" : "") +
                                           ", found " + describe(e.value));
    return std::nullopt;
  }
  // Action args keep their `{{ }}`: they are rendered per firing with the matched events.
  a.args = to_value(e.value, ctx.doc, ctx.diags);
  if (schema->any_args) return a;

  mapping_reader args(ctx, e.value, e.key, false);
  std::vector<std::string_view> allowed;
  for (const auto& s : schema->args) allowed.push_back(s.name);
  for (const auto& arg : args.entries()) {
    const arg_spec* spec = nullptr;
    for (const auto& s : schema->args) {
      if (s.name == arg.key) spec = &s;
    }
    if (!spec) {
      std::string msg = e.key + ": unknown argument " + quote(arg.key);
      if (auto near = closest(arg.key, allowed); !near.empty()) {
        msg += " (did you mean '" + near + "'?)";
      }
      ctx.diags.error(ctx.doc.at(arg.key_node), msg + "; allowed arguments: " + join(allowed));
      continue;
    }
    const value& v = a.args[arg.key];
    if (!matches(v, spec->types)) {
      ctx.diags.error(value_pos(ctx, arg), e.key + ": argument '" + arg.key + "' expects " +
                                               expected_text(spec->types) + ", found " +
                                               describe(v));
    }
  }
  for (auto r : schema->required) {
    if (!args.get(r)) {
      ctx.diags.error(args.pos(), e.key + ": missing required argument '" + std::string(r) + "'");
    }
  }
  if (a.type == "debug" && args.get("msg") && args.get("var")) {
    ctx.diags.error(ctx.doc.at(args.get("var")->key_node),
                    "debug: 'msg' and 'var' are mutually exclusive; use one of them");
  }
  if (a.type == "shutdown") {
    if (const auto* k = args.get("kind"); k && a.args["kind"].is_string()) {
      const auto& kind = a.args["kind"].get_ref<const std::string&>();
      if (kind != "graceful" && kind != "now") {
        ctx.diags.error(value_pos(ctx, *k),
                        "shutdown: argument 'kind' must be 'graceful' or "
                        "'now', found " +
                            quote(kind));
      }
    }
  }
  if (ctx.diags.error_count() != errors_before) return std::nullopt;
  return a;
}

}  // namespace rb::rulebook
