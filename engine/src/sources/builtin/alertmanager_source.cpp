#include "sources/builtin/alertmanager_source.h"

namespace rb::sources {

namespace {

std::vector<std::string> split_path(const std::string& path, const std::string& sep) {
  std::vector<std::string> out;
  if (path.empty()) return out;
  std::size_t from = 0;
  for (std::size_t at; (at = path.find(sep, from)) != std::string::npos; from = at + sep.size())
    out.push_back(path.substr(from, at - from));
  out.push_back(path.substr(from));
  return out;
}

// dpath's get: keys into objects, indexes into lists; null when a step finds nothing.
const value* walk(const value& v, const std::vector<std::string>& path) {
  const value* at = &v;
  for (const auto& step : path) {
    if (at->is_object()) {
      const auto it = at->find(step);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      std::size_t i = 0;
      if (step.empty() || step.find_first_not_of("0123456789") != std::string::npos) return nullptr;
      i = std::stoul(step);
      if (i >= at->size()) return nullptr;
      at = &(*at)[i];
    } else {
      return nullptr;
    }
  }
  return at;
}

}  // namespace

alertmanager_source::alertmanager_source(const value& args, source_env env)
    : alertmanager_source(detail::arg_reader("alertmanager", args), std::move(env)) {}

alertmanager_source::alertmanager_source(const detail::arg_reader& a, source_env env)
    : http_source("alertmanager", a, std::move(env), "localhost", 5000, false, {}) {
  const std::string sep = a.string("data_path_separator", ".");
  if (sep.empty()) a.fail("alertmanager: argument 'data_path_separator' must not be empty");
  alerts_path_ = split_path(a.string("data_alerts_path", "alerts"), sep);
  host_path_ = split_path(a.string("data_host_path", "labels.instance"), sep);
  skip_original_data_ = a.boolean("skip_original_data", false);
}

void alertmanager_source::serve(const http_server_request& req, http_server_response& res) {
  const bool root = req.path == "/";
  if (root) {
    if (req.method != "GET") return method_not_allowed(res, "GET");
    res.body = "up";
    return;
  }
  const std::string endpoint = endpoint_of(req);
  if (endpoint.find('/') != std::string::npos) {
    res.status = 404;
    res.body = "Not Found";
    return;
  }
  if (req.method != "POST") return method_not_allowed(res, "POST");
  if (!accepting(res)) return;
  value payload;
  if (!parse_body(req, res, payload)) return;
  const value headers = headers_of(req);
  value alerts = value::array();
  if (alerts_path_.empty()) {
    alerts.push_back(payload);
  } else if (const value* found = walk(payload, alerts_path_)) {
    if (found->is_array())
      alerts = *found;
    else
      alerts.push_back(*found);
  }
  if (!skip_original_data_) {
    value original = {{"payload", std::move(payload)},
                      {"meta", {{"endpoint", endpoint}, {"headers", headers}}}};
    sink().put(std::move(original));
  }
  for (auto& alert : alerts) {
    value hosts = value::array();
    if (!host_path_.empty()) {
      const value* host = walk(alert, host_path_);
      if (host != nullptr && host->is_string()) {
        const std::string& h = host->get_ref<const std::string&>();
        hosts.push_back(h.substr(0, h.find(':')));  // without its port, as ansible-rulebook
      }
    }
    value event = {
        {"alert", std::move(alert)},
        {"meta", {{"endpoint", endpoint}, {"headers", headers}, {"hosts", std::move(hosts)}}}};
    sink().put(std::move(event));
  }
  res.status = 202;
  res.body = "Received";
}

}  // namespace rb::sources
