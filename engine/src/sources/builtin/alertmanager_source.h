// alertmanager: ansible.eda.alertmanager — receives Prometheus Alertmanager's webhook: a POST to
// /<endpoint> with its JSON gives one event per alert, {alert: <alert>, meta: {endpoint, headers,
// hosts}}, preceded (unless skip_original_data) by the whole body as {payload, meta: {endpoint,
// headers}}; answered 202 "Received". GET / answers "up". Arguments as in ansible-rulebook: host
// (default localhost), port (5000), data_alerts_path ("alerts"; empty: the body is the alert),
// data_host_path ("labels.instance"; the host without its ":port" goes to meta.hosts; empty:
// none), data_path_separator ("."), skip_original_data (false); plus webhook's limits
// (max_body_size, header_timeout, body_timeout, max_connections). Paths walk objects by key and
// lists by index. 400 not JSON, 503 not accepting now (http_source.h).
#pragma once

#include <string>
#include <vector>

#include "sources/builtin/http_source.h"

namespace rb::sources {

class alertmanager_source final : public detail::http_source {
 public:
  // Throws source_error for bad arguments or a port in use.
  alertmanager_source(const value& args, source_env env);

 private:
  alertmanager_source(const detail::arg_reader& a, source_env env);
  void serve(const http_server_request& req, http_server_response& res) override;

  std::vector<std::string> alerts_path_;
  std::vector<std::string> host_path_;
  bool skip_original_data_ = false;
};

}  // namespace rb::sources
