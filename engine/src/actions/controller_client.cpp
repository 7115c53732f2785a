#include "actions/controller_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <cctype>

namespace rb::actions {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "scheme://host[:port]" of a URL, and where its path starts (npos: none).
std::string origin_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto path = url.find_first_of("/?#", scheme_end + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

std::string with_slash(std::string url) {
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

// As urljoin(base, ref) for the references the API hands out: absolute URLs, absolute paths
// ("/api/v2/jobs/7/") and slugs relative to the base ("api/v2/config/").
std::string join_url(const std::string& base, const std::string& ref) {
  if (starts_with(ref, "http://") || starts_with(ref, "https://")) return ref;
  if (starts_with(ref, "/")) return origin_of(base) + ref;
  return with_slash(base) + ref;
}

// Where the API lives: ansible-rulebook appends api/ only to a URL without a path.
std::string api_root(const controller_settings& s) {
  const std::string origin = origin_of(s.url);
  const std::string path = s.url.substr(origin.size());
  if (path.empty() || path == "/") return origin + "/api/v2/";
  return with_slash(s.url) + "v2/";
}

const char* reason_of(long status) {
  switch (status) {
    case 400:
      return " (Bad Request)";
    case 401:
      return " (Unauthorized)";
    case 403:
      return " (Forbidden)";
    case 404:
      return " (Not Found)";
    case 405:
      return " (Method Not Allowed)";
    case 409:
      return " (Conflict)";
    case 429:
      return " (Too Many Requests)";
    case 500:
      return " (Internal Server Error)";
    case 502:
      return " (Bad Gateway)";
    case 503:
      return " (Service Unavailable)";
    default:
      return "";
  }
}

// What went wrong with one API call, or "" when it answered 2xx with JSON (left in `out`).
std::string api_problem(const http_request& q, const http_response& r, value& out) {
  const std::string call = q.method + " " + q.url;
  if (!r.responded) return "cannot reach the controller: " + call + ": " + r.error;
  value body = value::parse(r.body, nullptr, false);
  if (r.status < 200 || r.status > 299) {
    std::string detail;
    if (!body.is_discarded() && body.is_object() && body.contains("detail") &&
        body["detail"].is_string()) {
      detail = body["detail"].get<std::string>();
    } else if (!body.is_discarded() && !body.is_null()) {
      detail = body.dump(-1, ' ', false, value::error_handler_t::replace);
    } else {
      detail = r.body;
    }
    if (detail.size() > 300) detail = detail.substr(0, 300) + "...";
    return "the controller answered " + std::to_string(r.status) + reason_of(r.status) + " to " +
           call + (detail.empty() ? "" : ": " + detail);
  }
  if (body.is_discarded() || !body.is_object())
    return "the controller's answer to " + call + " is not a JSON object";
  out = std::move(body);
  return {};
}

// One API call with the settings' authentication and TLS options.
http_request api_request(const controller_settings& s, std::string method, std::string url,
                         std::string body) {
  http_request q;
  q.method = std::move(method);
  q.url = std::move(url);
  q.body = std::move(body);
  q.timeout = s.request_timeout;
  q.fresh_connection = false;
  q.follow_redirects = q.method == "GET";
  q.max_body_bytes = 16u << 20;  // a job's artifacts may be large
  q.headers.emplace_back("Accept", "application/json");
  if (!q.body.empty()) q.headers.emplace_back("Content-Type", "application/json");
  if (!s.token.empty()) {
    q.headers.emplace_back("Authorization", "Bearer " + s.token);
  } else if (!s.username.empty()) {
    q.headers.emplace_back("Authorization",
                           "Basic " + base64_encode(s.username + ":" + s.password));
  }
  if (starts_with(q.url, "https://")) {
    const std::string v = lower(s.ssl_verify);
    if (v == "no" || v == "false") {
      q.verify_tls = false;
    } else if (v != "yes" && v != "true" && !v.empty()) {
      q.ca_file = s.ssl_verify;
    }
  }
  return q;
}

class run_state final : public controller_run, public std::enable_shared_from_this<run_state> {
 public:
  run_state(const controller_settings& s, http_sender& http, boost::asio::any_io_executor ex,
            template_kind kind, std::string name, std::string organization, value params,
            std::function<void(controller_outcome)> done)
      : s_(s),
        http_(http),
        timer_(ex),
        kind_(kind),
        name_(std::move(name)),
        organization_(std::move(organization)),
        params_(std::move(params)),
        done_(std::move(done)) {}

  void cancel() noexcept override {
    if (cancelled_) return;
    cancelled_ = true;
    done_ = nullptr;  // it may hold the caller, which holds this run
    timer_.cancel();
    if (!job_url_.empty())
      spdlog::warn("stopped following controller job {} (it goes on in the controller)",
                   join_url(s_.url, job_url_));
  }
  const std::string& job_url() const noexcept override { return job_url_; }

  void lookup() {
    std::string url = api_root(s_) + "unified_job_templates/?name=" + url_encode(name_);
    if (page_ > 1) url += "&page=" + std::to_string(page_);
    send(request("GET", std::move(url)),
         [self = shared_from_this()](value body) { self->on_templates(body); });
  }

 private:
  const char* wanted_type() const {
    return kind_ == template_kind::job ? "job_template" : "workflow_job_template";
  }

  http_request request(std::string method, std::string url, std::string body = {}) const {
    return api_request(s_, std::move(method), std::move(url), std::move(body));
  }

  // Sends `q`; calls `next` with the JSON object of a 2xx answer. A transient failure is tried
  // again, as ansible-rulebook's client does: a poll at the next interval; a lookup (GET) that
  // got no answer or a 429/5xx, or a launch (POST) that got a 429/502/503 (the launch cannot have
  // happened), up to retry_attempts in all, 2 s apart then doubling up to retry_max_delay. Any
  // other failure ends the run.
  void send(http_request q, std::function<void(value)> next, bool poll = false, int attempt = 1) {
    auto self = shared_from_this();
    http_request copy = q;  // for the message and a retry (the message shows no header)
    http_.send(std::move(q), [self, copy = std::move(copy), next = std::move(next), poll,
                              attempt](http_response r) mutable {
      if (self->cancelled_) return;
      value body;
      std::string problem = api_problem(copy, r, body);
      if (problem.empty()) {
        next(std::move(body));
        return;
      }
      const long st = r.status;
      if (poll && (!r.responded || st >= 500 || st == 429)) {
        spdlog::warn("{}; trying again at the next poll", problem);
        self->schedule_poll();
        return;
      }
      const bool transient = copy.method == "GET"
                                 ? !r.responded || st == 429 || (st >= 500 && st <= 504)
                                 : r.responded && (st == 429 || st == 502 || st == 503);
      if (!transient || attempt >= self->s_.retry_attempts) {
        self->fail(std::move(problem));
        return;
      }
      auto wait = self->s_.retry_first_delay * (1LL << std::min(attempt - 1, 20));
      wait = std::min<std::chrono::milliseconds>(wait, self->s_.retry_max_delay);
      spdlog::warn("{}; attempt {} of {} in {} ms", problem, attempt + 1, self->s_.retry_attempts,
                   wait.count());
      self->timer_.expires_after(wait);
      self->timer_.async_wait([self, copy = std::move(copy), next = std::move(next),
                               attempt](const boost::system::error_code& ec) mutable {
        if (ec || self->cancelled_) return;
        self->send(std::move(copy), std::move(next), false, attempt + 1);
      });
    });
  }

  void fail(std::string error) {
    controller_outcome o;
    o.error = std::move(error);
    finish(std::move(o));
  }

  void finish(controller_outcome o) {
    if (cancelled_ || !done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(o));
  }

  void on_templates(const value& body) {
    auto results = body.find("results");
    if (results == body.end() || !results->is_array()) {
      fail("the controller's template list has no 'results'");
      return;
    }
    for (const auto& t : *results) {
      if (!t.is_object() || t.value("type", "") != wanted_type() || t.value("name", "") != name_)
        continue;
      const value* org = &t;
      for (const char* step : {"summary_fields", "organization", "name"}) {
        if (org && org->is_object() && org->contains(step)) {
          org = &(*org)[step];
        } else {
          org = nullptr;
        }
      }
      if (org && (!org->is_string() || org->get<std::string>() != organization_)) continue;
      launch(t);
      return;
    }
    auto next = body.find("next");
    if (next != body.end() && next->is_string() && !next->get<std::string>().empty()) {
      ++page_;
      lookup();
      return;
    }
    fail(std::string(kind_ == template_kind::job ? "Job template " : "Workflow template ") + name_ +
         " in organization " + organization_ + " does not exist");
  }

  void launch(const value& tpl) {
    std::string launch_ref;
    if (auto rel = tpl.find("related"); rel != tpl.end() && rel->is_object()) {
      if (auto l = rel->find("launch"); l != rel->end() && l->is_string()) launch_ref = *l;
    }
    if (launch_ref.empty()) {
      fail("template " + name_ + " has no launch URL in the controller's answer");
      return;
    }
    if (kind_ == template_kind::workflow && params_.is_object() && params_.contains("limit") &&
        !tpl.value("ask_limit_on_launch", false)) {
      spdlog::warn("workflow template {} does not accept limit, removing it", name_);
      params_.erase("limit");
    }
    const std::string body = params_.dump(-1, ' ', false, value::error_handler_t::replace);
    send(request("POST", join_url(s_.url, launch_ref), body),
         [self = shared_from_this()](value job) {
           auto url = job.find("url");
           if (url == job.end() || !url->is_string() || url->get<std::string>().empty()) {
             self->fail("the controller's launch answer has no job 'url'");
             return;
           }
           self->job_url_ = url->get<std::string>();
           spdlog::info("{} {} launched: {}",
                        self->kind_ == template_kind::job ? "job template" : "workflow template",
                        self->name_, join_url(self->s_.url, self->job_url_));
           self->poll();
         });
  }

  void poll() {
    send(
        request("GET", join_url(s_.url, job_url_)),
        [self = shared_from_this()](value job) {
          auto status = job.find("status");
          if (status == job.end() || !status->is_string()) {
            self->fail("the controller's job " + self->job_url_ + " has no status");
            return;
          }
          const std::string st = status->get<std::string>();
          if (st == "successful" || st == "failed" || st == "error" || st == "canceled") {
            controller_outcome o;
            o.ended = true;
            o.job = std::move(job);
            self->finish(std::move(o));
            return;
          }
          spdlog::debug("controller job {}: {}", self->job_url_, st);
          self->schedule_poll();
        },
        true);
  }

  void schedule_poll() {
    timer_.expires_after(s_.poll_interval);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->cancelled_) return;
      self->poll();
    });
  }

  const controller_settings& s_;
  http_sender& http_;
  boost::asio::steady_timer timer_;
  template_kind kind_;
  std::string name_;
  std::string organization_;
  value params_;
  std::function<void(controller_outcome)> done_;
  bool cancelled_ = false;
  int page_ = 1;
  std::string job_url_;
};

}  // namespace

std::string controller_settings_problem(const controller_settings& s) {
  if (s.url.empty()) return {};
  const bool http = starts_with(s.url, "http://"), https = starts_with(s.url, "https://");
  const std::size_t host_at = http ? 7 : 8;
  if ((!http && !https) || s.url.size() <= host_at || s.url[host_at] == '/')
    return "invalid controller url '" + s.url + "': expected http(s)://host[:port][/path]";
  if (s.token.empty() && (s.username.empty() || s.password.empty()))
    return "controller_token or controller_username and controller_password is required";
  return {};
}

std::shared_ptr<controller_run> run_controller_template(
    const controller_settings& settings, http_sender& http, boost::asio::any_io_executor executor,
    template_kind kind, std::string name, std::string organization, value job_params,
    std::function<void(controller_outcome)> done) {
  auto run =
      std::make_shared<run_state>(settings, http, std::move(executor), kind, std::move(name),
                                  std::move(organization), std::move(job_params), std::move(done));
  run->lookup();
  return run;
}

void log_controller_version(const controller_settings& settings, http_sender& http) {
  http_request q = api_request(settings, "GET", api_root(settings) + "config/", {});
  const http_request copy = q;
  http.send(std::move(q), [copy](http_response r) {
    value body;
    const std::string problem = api_problem(copy, r, body);
    if (!problem.empty()) {
      spdlog::warn("controller: {}; run_job_template and run_workflow_template will fail", problem);
      return;
    }
    const value& v = body.contains("version") ? body["version"] : value("unknown");
    spdlog::info("controller at {}: version {}", origin_of(copy.url),
                 v.is_string() ? v.get<std::string>() : v.dump());
  });
}

std::string controller_job_ui_url(const controller_settings& s, template_kind kind,
                                  const value& job_id) {
  const std::string id = job_id.is_string() ? job_id.get<std::string>() : job_id.dump();
  return origin_of(s.url) + (kind == template_kind::job ? "/#/jobs/" : "/#/jobs/workflow/") + id +
         "/details";
}

std::string url_encode(std::string_view text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += table[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? table[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace rb::actions
