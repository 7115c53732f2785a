#include "support/controller_stub.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <thread>

namespace rb::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using json = nlohmann::json;

namespace {

std::string base64(const std::string& in) {
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out += t[(val >> bits) & 63];
      bits -= 6;
    }
  }
  if (bits > -6) out += t[((val << 8) >> (bits + 8)) & 63];
  while (out.size() % 4) out += '=';
  return out;
}

// The value of `name` in a query string, percent-decoded ("" when absent).
std::string query_value(const std::string& target, const std::string& name) {
  const auto q = target.find('?');
  if (q == std::string::npos) return {};
  std::string query = target.substr(q + 1);
  std::size_t at = 0;
  while (at <= query.size()) {
    auto end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    const std::string part = query.substr(at, end - at);
    const auto eq = part.find('=');
    if (part.substr(0, eq) == name && eq != std::string::npos) {
      std::string raw = part.substr(eq + 1), out;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size()) {
          out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += raw[i] == '+' ? ' ' : raw[i];
        }
      }
      return out;
    }
    at = end + 1;
  }
  return {};
}

struct job {
  int id = 0;
  bool workflow = false;
  std::vector<std::string> statuses;
  json artifacts;
  std::string name;
  std::size_t polls = 0;
};

}  // namespace

struct controller_stub::impl {
  std::string token, username, password;
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::atomic<bool> stop{false};
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<stub_template> templates;
  std::map<std::size_t, std::size_t> launches_of;  // template index → launches so far
  std::map<std::string, job> jobs;                 // "jobs/7" | "workflow_jobs/7"
  std::vector<stub_request> seen;
  int next_job = 100;

  void run() {
    while (!stop) {
      tcp::socket s(io);
      boost::system::error_code ec;
      acceptor.accept(s, ec);
      if (ec || stop) break;
      boost::beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(s, buf, req, ec);
      if (ec) continue;
      auto [status, body] = answer(req);
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.set(http::field::content_type, "application/json");
      res.set(http::field::connection, "close");
      res.body() = body.dump();
      res.prepare_payload();
      http::write(s, res, ec);
      s.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  bool authorized(const std::string& auth) const {
    if (!token.empty() && auth == "Bearer " + token) return true;
    return !username.empty() && auth == "Basic " + base64(username + ":" + password);
  }

  static json not_found() { return {{"detail", "Not found."}}; }

  std::pair<int, json> answer(const http::request<http::string_body>& req) {
    std::lock_guard lock(mutex);
    stub_request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.authorization = std::string(req[http::field::authorization]);
    r.body = req.body().empty() ? json(nullptr) : json::parse(req.body(), nullptr, false);
    seen.push_back(r);
    if (!authorized(r.authorization))
      return {401, {{"detail", "Authentication credentials were not provided."}}};
    const std::string path = r.target.substr(0, r.target.find('?'));
    if (r.method == "GET" && path == "/api/v2/config/") return {200, {{"version", "4.5.0"}}};
    if (r.method == "GET" && path == "/api/v2/unified_job_templates/") {
      const std::string name = query_value(r.target, "name");
      const std::string page_text = query_value(r.target, "page");
      const std::size_t page = page_text.empty() ? 1 : std::stoul(page_text);
      std::vector<std::size_t> found;
      for (std::size_t i = 0; i < templates.size(); ++i)
        if (templates[i].name == name) found.push_back(i);
      json out = {{"count", found.size()},
                  {"next", page < found.size() ? json("/api/v2/unified_job_templates/?name=" +
                                                      name + "&page=" + std::to_string(page + 1))
                                               : json(nullptr)},
                  {"previous", nullptr},
                  {"results", json::array()}};
      if (page >= 1 && page <= found.size()) {
        const std::size_t i = found[page - 1];
        const stub_template& t = templates[i];
        const int id = static_cast<int>(i) + 1;
        const std::string kind = t.workflow ? "workflow_job_templates" : "job_templates";
        out["results"].push_back(
            {{"id", id},
             {"type", t.workflow ? "workflow_job_template" : "job_template"},
             {"name", t.name},
             {"summary_fields", {{"organization", {{"id", 1}, {"name", t.organization}}}}},
             {"related", {{"launch", "/api/v2/" + kind + "/" + std::to_string(id) + "/launch/"}}},
             {"ask_limit_on_launch", t.ask_limit_on_launch},
             {"ask_labels_on_launch", false},
             {"ask_inventory_on_launch", false},
             {"ask_variables_on_launch", true}});
      }
      return {200, out};
    }
    if (r.method == "POST") {
      for (std::size_t i = 0; i < templates.size(); ++i) {
        const stub_template& t = templates[i];
        const std::string kind = t.workflow ? "workflow_job_templates" : "job_templates";
        if (path != "/api/v2/" + kind + "/" + std::to_string(i + 1) + "/launch/") continue;
        const std::size_t k = launches_of[i]++;
        job j;
        j.id = next_job++;
        j.workflow = t.workflow;
        j.statuses = t.runs[std::min(k, t.runs.size() - 1)];
        j.artifacts = t.artifacts;
        j.name = t.name;
        const std::string key =
            std::string(t.workflow ? "workflow_jobs/" : "jobs/") + std::to_string(j.id);
        jobs[key] = j;
        json out = {{"id", j.id}, {"url", "/api/v2/" + key + "/"}, {"status", "pending"}};
        out[t.workflow ? "workflow_job" : "job"] = j.id;
        return {201, out};
      }
      return {404, not_found()};
    }
    if (r.method == "GET" && path.rfind("/api/v2/", 0) == 0) {
      std::string key = path.substr(8);
      if (!key.empty() && key.back() == '/') key.pop_back();
      auto it = jobs.find(key);
      if (it == jobs.end()) return {404, not_found()};
      job& j = it->second;
      const std::string status = j.statuses[std::min(j.polls++, j.statuses.size() - 1)];
      const bool done =
          status == "successful" || status == "failed" || status == "error" || status == "canceled";
      return {200,
              {{"id", j.id},
               {"type", j.workflow ? "workflow_job" : "job"},
               {"name", j.name},
               {"status", status},
               {"failed", status == "failed" || status == "error"},
               {"created", "2026-01-02T03:04:05.123456Z"},
               {"artifacts", done ? j.artifacts : json::object()}}};
    }
    return {404, not_found()};
  }
};

controller_stub::controller_stub(std::string token, std::string username, std::string password)
    : impl_(std::make_unique<impl>()) {
  impl_->token = std::move(token);
  impl_->username = std::move(username);
  impl_->password = std::move(password);
  impl_->thread = std::thread([this] { impl_->run(); });
}

controller_stub::~controller_stub() {
  impl_->stop = true;
  boost::system::error_code ec;
  tcp::socket wake(impl_->io);  // one last connection wakes accept()
  wake.connect(impl_->acceptor.local_endpoint(), ec);
  impl_->thread.join();
}

void controller_stub::add(stub_template t) {
  std::lock_guard lock(impl_->mutex);
  impl_->templates.push_back(std::move(t));
}

std::string controller_stub::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

std::vector<stub_request> controller_stub::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seen;
}

std::vector<stub_request> controller_stub::launches() const {
  std::vector<stub_request> out;
  for (auto& r : requests())
    if (r.method == "POST") out.push_back(r);
  return out;
}

}  // namespace rb::test
