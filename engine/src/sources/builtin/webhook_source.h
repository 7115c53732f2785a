// webhook: ansible.eda.webhook — every POST to /<endpoint> with a JSON body becomes the event
// {payload: <body>, meta: {endpoint, headers}} and is answered 200 with the endpoint as text.
// Arguments as in ansible-rulebook: host (default 0.0.0.0), port (required; 0 picks a free one),
// token (Bearer), hmac_secret, hmac_algo (sha256), hmac_header (x-hub-signature-256), hmac_format
// (hex | base64; a "<algo>=" prefix on the signature is accepted), certfile, keyfile, password,
// cafile, capath (client certificates required). Our own: max_body_size (bytes, 1 MiB),
// header_timeout (10 s), body_timeout (30 s), max_connections (1024). Answers: 400 not JSON or
// no signature header, 401 token or signature wrong, 405 not POST, 413 body too large, 503 not
// accepting now (http_source.h). Authorization and the HMAC header are masked in meta.headers.
#pragma once

#include "sources/builtin/http_source.h"

namespace rb::sources {

class webhook_source final : public detail::http_source {
 public:
  // Throws source_error for bad arguments, an unreadable certificate or a port in use.
  webhook_source(const value& args, source_env env);

 private:
  webhook_source(const detail::arg_reader& a, source_env env);
  void serve(const http_server_request& req, http_server_response& res) override;
};

}  // namespace rb::sources
