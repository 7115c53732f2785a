#include "sources/builtin/url_check_source.h"

#include "sources/builtin/args.h"

namespace rb::sources {

url_check_source::url_check_source(const value& args, source_env env)
    : builtin_source("url_check", std::move(env)) {
  const detail::arg_reader a("url_check", args);
  if (const value* urls = a.find("urls")) {
    if (!urls->is_array()) a.fail("urls", "a list of URLs", *urls);
    for (const auto& u : *urls) {
      if (!u.is_string() || u.get_ref<const std::string&>().empty())
        a.fail("urls", "a list of URLs (non-empty strings)", *urls);
      urls_.push_back(u.get<std::string>());
    }
  }
  delay_ = a.seconds("delay", 1);
  verify_ssl_ = a.boolean("verify_ssl", true);
  timeout_ = std::chrono::duration_cast<std::chrono::milliseconds>(a.seconds("timeout", 300));
  if (timeout_.count() <= 0) a.fail("url_check: argument 'timeout' must be more than 0 seconds");
  if (!this->env().http) a.fail("url_check: internal error: source created without an HTTP client");
}

void url_check_source::step() {
  if (urls_.empty()) {
    finish(source_end::finished);
    return;
  }
  if (next_ == urls_.size()) {
    next_ = 0;
    wait_then_step(delay_);
    return;
  }
  http_request r;
  r.url = urls_[next_];
  r.verify_tls = verify_ssl_;
  r.follow_redirects = true;
  r.timeout = timeout_;
  env().http->send(std::move(r), [this, alive = alive_token()](http_response resp) {
    if (alive.expired() || halted()) return;
    on_response(std::move(resp));
  });
}

void url_check_source::on_response(http_response r) {
  value check = value::object();
  check["url"] = urls_[next_++];
  if (r.responded) {
    check["status"] = r.status == 200 ? "up" : "down";
    check["status_code"] = r.status;
  } else {
    check["status"] = "down";
    check["error_msg"] = r.error;
  }
  value event = value::object();
  event["url_check"] = std::move(check);
  const bool more = sink().put(std::move(event));
  if (halted()) return;
  if (!more) {
    when_ready_then_step();
    return;
  }
  step();
}

}  // namespace rb::sources
