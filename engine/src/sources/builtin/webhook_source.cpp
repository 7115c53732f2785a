#include "sources/builtin/webhook_source.h"

namespace rb::sources {

namespace {

http_auth auth_from(const detail::arg_reader& a) {
  http_auth auth;
  auth.token = a.string("token", "");
  if (a.has("token") && auth.token.empty()) a.fail("webhook: argument 'token' must not be empty");
  auth.hmac_secret = a.string("hmac_secret", "");
  if (a.has("hmac_secret") && auth.hmac_secret.empty())
    a.fail("webhook: argument 'hmac_secret' must not be empty");
  auth.hmac_algo = a.string("hmac_algo", auth.hmac_algo);
  auth.hmac_header = a.string("hmac_header", auth.hmac_header);
  if (auth.hmac_header.empty()) a.fail("webhook: argument 'hmac_header' must not be empty");
  const std::string format = a.string("hmac_format", "hex");
  if (format != "hex" && format != "base64")
    a.fail("hmac_format", "hex or base64", *a.find("hmac_format"));
  auth.hmac_base64 = format == "base64";
  return auth;
}

}  // namespace

webhook_source::webhook_source(const value& args, source_env env)
    : webhook_source(detail::arg_reader("webhook", args), std::move(env)) {}

webhook_source::webhook_source(const detail::arg_reader& a, source_env env)
    : http_source("webhook", a, std::move(env), "0.0.0.0", -1, true, auth_from(a)) {}

void webhook_source::serve(const http_server_request& req, http_server_response& res) {
  if (req.method != "POST") return method_not_allowed(res, "POST");
  if (!accepting(res)) return;
  value payload;
  if (!parse_body(req, res, payload)) return;
  std::string endpoint = endpoint_of(req);
  value event = value::object();
  event["payload"] = std::move(payload);
  value& meta = event["meta"];
  meta["endpoint"] = endpoint;
  meta["headers"] = headers_of(req);
  sink().put(std::move(event));
  res.body = std::move(endpoint);
}

}  // namespace rb::sources
