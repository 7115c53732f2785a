// webhook and alertmanager sources with the real binary, driven by the curl CLI on loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "conformance.h"
#include "support/http_server.h"
#include "support/test_pki.h"

using namespace conformance;
using namespace std::chrono_literals;

namespace {

using rb::test::curl;
using rb::test::quote;
using rb::test::reply;

// The binary running a rulebook with an audit log, stopped with SIGTERM by stop().
class running {
 public:
  explicit running(const std::string& rulebook, std::vector<std::string> extra = {}) {
    const std::string rb = dir_.write("rb.yml", rulebook);
    audit_ = dir_.path() + "/audit.jsonl";
    std::vector<std::string> args = {"-r", rb, "--audit-log", audit_};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = rb::test::spawn_rulebook(args, dir_.path() + "/out", dir_.path() + "/err");
  }
  ~running() {
    if (pid_ > 0) stop();
  }
  // Waits until `url` answers something other than 503 "Not started" (the source runs).
  void wait_serving(const std::string& url, const std::string& extra = "") {
    for (int i = 0; i < 200; ++i) {
      const reply r = curl(extra + " " + quote(url));
      if (r.status != 0 && r.body != "Not started") return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL("the source never served " << url << "; stderr: " << err());
  }
  rb::test::run_result stop() {
    ::kill(pid_, SIGTERM);
    auto r = rb::test::wait_rulebook(pid_, dir_.path() + "/out", dir_.path() + "/err");
    pid_ = -1;
    return r;
  }
  std::vector<value> actions() const {
    std::vector<value> out;
    for (auto& r : rb::test::read_jsonl(audit_))
      if (r.value("type", "") == "Action") out.push_back(r);
    return out;
  }
  std::string err() const { return rb::test::read_file(dir_.path() + "/err"); }
  const rb::test::temp_dir& dir() const { return dir_; }

 private:
  rb::test::temp_dir dir_;
  std::string audit_;
  int pid_ = -1;
};

std::string port_text(unsigned short p) { return std::to_string(p); }

std::string webhook_rulebook(unsigned short port, const std::string& args,
                             const std::string& action = "none:") {
  return R"(
- name: hooks
  hosts: all
  sources:
    - ansible.eda.webhook:
        host: 127.0.0.1
        port: )" +
         port_text(port) + "\n" + args + R"(
  rules:
    - name: every event
      condition: event.meta is defined
      action:
        )" +
         action + "\n";
}

std::string hmac(const std::string& secret, const std::string& body, bool base64) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  std::string out;
  if (base64) {
    out.resize(4 * ((len + 2) / 3) + 1);
    out.resize(static_cast<std::size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len))));
    return out;
  }
  static constexpr char hex[] = "0123456789abcdef";
  for (unsigned i = 0; i < len; ++i) (out += hex[mac[i] >> 4]) += hex[mac[i] & 15];
  return out;
}

// A TCP connection to 127.0.0.1:port that the test drives by hand (-1 when refused).
int raw_connect(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

TEST_CASE("webhook: event shape, token, status codes, masked headers, nothing lost") {
  const unsigned short port = rb::test::closed_loopback_port();
  running rb(webhook_rulebook(port, "        token: s3cret-token\n        max_body_size: 200"));
  const std::string base = "http://127.0.0.1:" + port_text(port);
  rb.wait_serving(base + "/");
  const std::string auth = "-H 'Authorization: Bearer s3cret-token' ";

  const reply ok = curl(auth + "-H 'X-Trace: 42' -H 'Content-Type: application/json' -d " +
                        quote(R"({"alert": {"name": "disk", "value": [1, 2.5, null]}})") + " " +
                        quote(base + "/hooks/disk%20full?x=1"));
  CHECK(ok.status == 200);
  CHECK(ok.body == "hooks/disk full");  // ansible-rulebook answers with the endpoint
  CHECK(curl(auth + "-d '[1, 2]' " + quote(base + "/list")).status == 200);

  CHECK(curl("-d '{}' " + base + "/x").status == 401);  // no token
  const reply wrong = curl("-H 'Authorization: Bearer nope' -d '{}' " + base + "/x");
  CHECK(wrong.status == 401);
  CHECK(wrong.body == "Invalid authorization token");
  CHECK(curl("-H 'Authorization: Basic czNjcmV0' -d '{}' " + base + "/x").status == 401);
  CHECK(curl(auth + "-d 'not json' " + base + "/x").status == 400);
  CHECK(curl(auth + "-d '' " + base + "/x").status == 400);
  const reply get = curl(auth + base + "/x");
  CHECK(get.status == 405);
  CHECK(get.headers.find("Allow: POST") != std::string::npos);
  const reply big = curl(auth + "-d '{\"k\": \"" + std::string(300, 'a') + "\"}' " + base + "/x");
  CHECK(big.status == 413);
  // A big body (curl asks with Expect: 100-continue) is refused before it is sent.
  const std::string two_mib = rb.dir().write("big.json", std::string(2 << 20, ' ') + "{}");
  const reply huge = curl(auth + "--data-binary @" + two_mib + " " + base + "/x");
  CHECK(huge.status == 413);
  // Still serving after all that.
  CHECK(curl(auth + "-d '{\"n\": 1}' " + base + "/a").status == 200);
  CHECK(curl(auth + "-d '{\"n\": 2}' " + base + "/b").status == 200);

  const auto run = rb.stop();
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("s3cret-token") == std::string::npos);
  const auto recs = rb.actions();
  REQUIRE(recs.size() == 4);  // every 200 is an event, nothing else is
  const value& e = recs[0]["matching_events"]["m"];
  CHECK(e["payload"] == value::parse(R"({"alert": {"name": "disk", "value": [1, 2.5, null]}})"));
  CHECK(e["meta"]["endpoint"] == "hooks/disk full");
  const value& h = e["meta"]["headers"];
  CHECK(h["X-Trace"] == "42");
  CHECK(h["Content-Type"] == "application/json");
  CHECK(h["Authorization"] == "******");
  CHECK(h["Host"] == "127.0.0.1:" + port_text(port));
  CHECK(e["meta"]["source"]["type"] == "ansible.eda.webhook");
  CHECK(recs[1]["matching_events"]["m"]["payload"] == value::parse("[1, 2]"));
  CHECK(recs[3]["matching_events"]["m"]["meta"]["endpoint"] == "b");
}

TEST_CASE("webhook: HMAC signatures in hex (with the sha256= prefix) and base64") {
  const unsigned short hex_port = rb::test::closed_loopback_port();
  unsigned short b64_port = rb::test::closed_loopback_port();
  if (b64_port == hex_port) b64_port = static_cast<unsigned short>(hex_port + 1);
  running rb(R"(
- name: signed
  hosts: all
  sources:
    - ansible.eda.webhook:
        host: 127.0.0.1
        port: )" +
             port_text(hex_port) +
             R"(
        hmac_secret: hush
    - ansible.eda.webhook:
        host: 127.0.0.1
        port: )" +
             port_text(b64_port) +
             R"(
        hmac_secret: hush
        hmac_format: base64
        hmac_header: X-Signature
  rules:
    - name: every event
      condition: event.meta is defined
      action:
        none:
)");
  const std::string hex_url = "http://127.0.0.1:" + port_text(hex_port) + "/gh";
  const std::string b64_url = "http://127.0.0.1:" + port_text(b64_port) + "/other";
  rb.wait_serving(hex_url);
  rb.wait_serving(b64_url);
  const std::string body = R"({"action": "opened", "number": 7})";
  const std::string hex_sig = hmac("hush", body, false), b64_sig = hmac("hush", body, true);
  auto post = [&](const std::string& url, const std::string& header) {
    return curl((header.empty() ? "" : "-H " + quote(header) + " ") + "-d " + quote(body) + " " +
                url);
  };
  CHECK(post(hex_url, "X-Hub-Signature-256: sha256=" + hex_sig).status == 200);
  CHECK(post(hex_url, "x-hub-signature-256: " + hex_sig).status == 200);
  CHECK(post(hex_url, "X-Hub-Signature-256: sha256=" + hmac("other", body, false)).status == 401);
  CHECK(post(hex_url, "X-Hub-Signature-256: sha256=" + b64_sig).status == 401);
  CHECK(post(hex_url, "").status == 400);  // no signature header
  CHECK(post(b64_url, "X-Signature: " + b64_sig).status == 200);
  CHECK(post(b64_url, "X-Signature: " + hex_sig).status == 401);
  CHECK(post(b64_url, "X-Signature: " + hmac("hush", body + " ", true)).status == 401);
  rb.stop();
  const auto recs = rb.actions();
  REQUIRE(recs.size() == 3);
  CHECK(recs[0]["matching_events"]["m"]["meta"]["headers"]["X-Hub-Signature-256"] == "******");
  CHECK(recs[2]["matching_events"]["m"]["meta"]["headers"]["X-Signature"] == "******");
  CHECK(recs[2]["matching_events"]["m"]["payload"]["number"] == 7);
}

TEST_CASE("webhook: a full queue answers 503 with Retry-After, and every 200 is an event") {
  // The rule's action waits on a server that never answers, so events pile up: the dispatcher's
  // 1024 pending jobs, then the queue's 1024 events, then 503.
  rb::test::temp_dir dir;
  const int blackhole = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(blackhole, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(blackhole, 16) == 0);
  socklen_t len = sizeof a;
  ::getsockname(blackhole, reinterpret_cast<sockaddr*>(&a), &len);
  const unsigned short port = rb::test::closed_loopback_port();
  running rb(webhook_rulebook(port, "",
                              "http_request:\n          url: http://127.0.0.1:" +
                                  std::to_string(ntohs(a.sin_port)) + "/\n          timeout: 60"),
             {"--shutdown-delay", "0"});
  const std::string base = "http://127.0.0.1:" + port_text(port);
  rb.wait_serving(base + "/");
  // 2100 requests on one kept-alive connection (curl's URL globbing).
  const std::string codes = dir.path() + "/codes";
  const std::string cmd =
      "curl -s -d '{}' -o /dev/null -w '%{http_code}\\n' '" + base + "/e[1-2100]' > " + codes;
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::size_t ok = 0, busy = 0, other = 0;
  for (std::size_t at = 0, nl;
       (nl = rb::test::read_file(codes).find('\n', at)) != std::string::npos; at = nl + 1) {
    const std::string c = rb::test::read_file(codes).substr(at, nl - at);
    (c == "200" ? ok : c == "503" ? busy : other)++;
  }
  CHECK(other == 0);
  CHECK(busy > 0);
  CHECK(ok >= 2048);  // at least what the queue and the pending jobs hold
  CHECK(ok + busy == 2100);
  const reply r = curl("-d '{}' " + base + "/more");
  CHECK(r.status == 503);
  CHECK(r.headers.find("Retry-After: 1") != std::string::npos);
  ::close(blackhole);
}

TEST_CASE("alertmanager: one event per alert with meta.hosts, plus the original payload") {
  const unsigned short port = rb::test::closed_loopback_port();
  running rb(R"(
- name: alerts
  hosts: all
  sources:
    - ansible.eda.alertmanager:
        host: 127.0.0.1
        port: )" +
             port_text(port) +
             R"(
  rules:
    - name: every event
      condition: event.meta is defined
      action:
        none:
)");
  const std::string base = "http://127.0.0.1:" + port_text(port);
  rb.wait_serving(base + "/");
  const reply up = curl(base + "/");
  CHECK(up.status == 200);
  CHECK(up.body == "up");
  // What Alertmanager (webhook_config, version 4) sends.
  const std::string payload = R"({
    "receiver": "eda", "status": "firing", "version": "4", "groupKey": "{}:{alertname=\"x\"}",
    "truncatedAlerts": 0, "groupLabels": {"alertname": "InstanceDown"},
    "commonLabels": {"alertname": "InstanceDown"}, "commonAnnotations": {},
    "externalURL": "http://alertmanager:9093",
    "alerts": [
      {"status": "firing", "labels": {"alertname": "InstanceDown", "instance": "web1:9100",
       "job": "node"}, "annotations": {"summary": "web1 down"},
       "startsAt": "2024-05-01T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
       "generatorURL": "http://prometheus:9090/graph", "fingerprint": "a1"},
      {"status": "firing", "labels": {"alertname": "InstanceDown", "instance": "db2",
       "job": "node"}, "annotations": {}, "startsAt": "2024-05-01T10:00:00Z",
       "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": "b2"},
      {"status": "resolved", "labels": {"alertname": "Watchdog"}, "annotations": {},
       "startsAt": "2024-05-01T10:00:00Z", "endsAt": "2024-05-01T11:00:00Z",
       "generatorURL": "", "fingerprint": "c3"}
    ]})";
  const reply r =
      curl("-H 'Content-Type: application/json' -d " + quote(payload) + " " + base + "/alerts");
  CHECK(r.status == 202);
  CHECK(r.body == "Received");
  CHECK(curl("-d 'nope' " + base + "/alerts").status == 400);
  CHECK(curl("-d '{}' " + base + "/a/b").status == 404);
  CHECK(curl(base + "/alerts").status == 405);
  rb.stop();
  const auto recs = rb.actions();
  REQUIRE(recs.size() == 4);
  const value& original = recs[0]["matching_events"]["m"];
  CHECK(original["payload"] == value::parse(payload));
  CHECK(original["meta"]["endpoint"] == "alerts");
  CHECK(original["meta"]["headers"]["Content-Type"] == "application/json");
  const value& first = recs[1]["matching_events"]["m"];
  CHECK(first["alert"]["fingerprint"] == "a1");
  CHECK(first["meta"]["hosts"] == value::parse(R"(["web1"])"));
  CHECK(first["meta"]["endpoint"] == "alerts");
  CHECK(recs[2]["matching_events"]["m"]["meta"]["hosts"] == value::parse(R"(["db2"])"));
  CHECK(recs[3]["matching_events"]["m"]["meta"]["hosts"] == value::array());
  CHECK(recs[3]["matching_events"]["m"]["alert"]["status"] == "resolved");
}

TEST_CASE("webhook: TLS 1.2+ and mutual TLS with a throwaway CA") {
  const rb::test::test_pki pki;
  const unsigned short tls_port = rb::test::closed_loopback_port();
  unsigned short mtls_port = rb::test::closed_loopback_port();
  if (mtls_port == tls_port) mtls_port = static_cast<unsigned short>(tls_port + 1);
  running rb(R"(
- name: tls
  hosts: all
  sources:
    - ansible.eda.webhook:
        host: 127.0.0.1
        port: )" +
             port_text(tls_port) + "\n        certfile: " + pki.server_cert() +
             "\n        keyfile: " + pki.server_key() +
             R"(
    - ansible.eda.webhook:
        host: 127.0.0.1
        port: )" +
             port_text(mtls_port) + "\n        certfile: " + pki.server_cert() +
             "\n        keyfile: " + pki.server_key() + "\n        cafile: " + pki.ca_cert() + R"(
  rules:
    - name: every event
      condition: event.meta is defined
      action:
        none:
)");
  const std::string ca = "--cacert " + pki.ca_cert() + " ";
  const std::string client = "--cert " + pki.client_cert() + " --key " + pki.client_key() + " ";
  const std::string tls_url = "https://127.0.0.1:" + port_text(tls_port) + "/t";
  const std::string mtls_url = "https://127.0.0.1:" + port_text(mtls_port) + "/m";
  rb.wait_serving(tls_url, ca);
  rb.wait_serving(mtls_url, ca + client);
  CHECK(curl(ca + "-d '{\"tls\": 1}' " + tls_url).status == 200);
  CHECK(curl(ca + "--tlsv1.2 --tls-max 1.2 -d '{\"tls\": 2}' " + tls_url).status == 200);
  CHECK(curl(ca + "--tlsv1.1 --tls-max 1.1 -d '{}' " + tls_url).status == 0);
  CHECK(curl("-d '{}' http://127.0.0.1:" + port_text(tls_port) + "/plain").status != 200);
  CHECK(curl(ca + "-d '{}' " + mtls_url).status == 0);  // no client certificate
  CHECK(curl(ca + client + "-d '{\"mtls\": 1}' " + mtls_url).status == 200);
  rb.stop();
  CHECK(rb.actions().size() == 3);
}

TEST_CASE("webhook: a slowloris client is cut off; the connection limit answers 503") {
  const unsigned short port = rb::test::closed_loopback_port();
  running rb(webhook_rulebook(port, "        header_timeout: 2\n        max_connections: 2"));
  const std::string url = "http://127.0.0.1:" + port_text(port) + "/x";
  rb.wait_serving(url);
  // Headers that never end: the server closes after header_timeout.
  const int slow = raw_connect(port);
  REQUIRE(slow >= 0);
  const std::string partial = "POST /x HTTP/1.1\r\nHost: a\r\nX-Slow: ";
  REQUIRE(::write(slow, partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));
  // Two idle connections use the limit up: a third is answered 503.
  const int second = raw_connect(port);
  REQUIRE(second >= 0);
  // Time for the server to accept both, well inside the header timeout (2 s).
  std::this_thread::sleep_for(500ms);
  const reply busy = curl("-d '{}' " + url);
  CHECK(busy.status == 503);
  CHECK(busy.headers.find("Retry-After") != std::string::npos);
  const auto t0 = std::chrono::steady_clock::now();
  char buf[256];
  const ssize_t n = ::read(slow, buf, sizeof buf);  // EOF once cut off
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(n <= 0);
  CHECK(waited < 3s);
  CHECK(::read(second, buf, sizeof buf) <= 0);  // the second one is cut off too: room again
  ::close(slow);
  ::close(second);
  CHECK(curl("-d '{}' " + url).status == 200);
  rb.stop();
  CHECK(rb.actions().size() == 1);
}

TEST_CASE("webhook and alertmanager: bad arguments are start-up errors naming the source") {
  const rb::test::test_pki pki;
  auto load_error = [](const std::string& plugin, const std::string& args) {
    rb::test::temp_dir dir;
    const std::string rb = dir.write("bad.yml", R"(
- name: bad
  hosts: all
  sources:
    - )" + plugin + ":\n" + args + R"(
  rules:
    - name: r
      condition: true
      action:
        none:
)");
    const auto r = rb::test::run_rulebook({"-r", rb});
    CHECK(r.exit_code == 1);
    return r.err;
  };
  CHECK(load_error("ansible.eda.webhook", "        host: 127.0.0.1")
            .find("webhook: argument 'port' is required") != std::string::npos);
  CHECK(load_error("ansible.eda.webhook", "        port: 70000")
            .find("webhook: argument 'port' must be a port number") != std::string::npos);
  CHECK(load_error("ansible.eda.webhook", "        port: 0\n        certfile: /nonexistent.pem")
            .find("webhook: certfile '/nonexistent.pem' cannot be read") != std::string::npos);
  CHECK(load_error("ansible.eda.webhook", "        port: 0\n        keyfile: " + pki.server_key())
            .find("webhook: argument 'keyfile' needs 'certfile'") != std::string::npos);
  CHECK(load_error("ansible.eda.webhook",
                   "        port: 0\n        hmac_secret: x\n        hmac_algo: sha999")
            .find("webhook: unknown HMAC algorithm 'sha999'") != std::string::npos);
  CHECK(load_error("ansible.eda.webhook", "        port: 0\n        hmac_format: binary")
            .find("webhook: argument 'hmac_format' must be hex or base64") != std::string::npos);
  CHECK(load_error("webhook", "        port: 0\n        max_body_size: 0")
            .find("webhook: argument 'max_body_size'") != std::string::npos);
  CHECK(load_error("ansible.eda.alertmanager", "        port: -1")
            .find("alertmanager: argument 'port' must be a port number") != std::string::npos);
  // A port in use is a load error too.
  const rb::test::http_server taken;
  const std::string port = std::to_string(taken.port());
  CHECK(load_error("ansible.eda.alertmanager", "        host: 127.0.0.1\n        port: " + port)
            .find("alertmanager: cannot listen on 127.0.0.1:" + port) != std::string::npos);
}
