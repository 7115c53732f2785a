// What http_check needs from the client, against real loopback servers: timing phases over HTTP
// and HTTPS, TLS verification against a throwaway CA (expired, wrong host, client certificates),
// certificate expiry, proxies, IP families, resets, body caps, DNS failures.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "fetch.h"
#include "http/client.h"
#include "support/http_server.h"
#include "support/test_pki.h"

using namespace std::chrono_literals;
using rb::test::fetch;
using rb::test::http_server;
using rb::test::http_server_options;
using rb::test::test_pki;
using tls_cert = http_server_options::tls_cert;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

rb::http_request get(std::string url) {
  rb::http_request r;
  r.url = std::move(url);
  r.timeout = 5s;
  return r;
}

// A TLS server with the certificate `cert` from its own CA.
struct tls_site {
  explicit tls_site(tls_cert cert, bool require_client_cert = false)
      : server({.tls = cert, .pki = &pki, .require_client_cert = require_client_cert}) {}
  // A request to `path` that trusts the site's CA.
  rb::http_request trusting(const std::string& path) const {
    auto r = get(server.url(path));
    r.ca_file = pki.ca_cert();
    return r;
  }
  test_pki pki;  // before server: the server loads its files
  http_server server;
};

// Each phase happened (or, for TLS on plain HTTP, did not) and none runs past the total.
void check_phases(const rb::http_timings& t, bool tls) {
  INFO("dns ", t.dns_ms, " connect ", t.connect_ms, " tls ", t.tls_ms, " ttfb ", t.ttfb_ms,
       " transfer ", t.transfer_ms, " total ", t.total_ms);
  CHECK(t.dns_ms >= 0);
  CHECK(t.connect_ms > 0);
  CHECK((tls ? t.tls_ms > 0 : t.tls_ms == 0));
  CHECK(t.ttfb_ms > 0);
  CHECK(t.transfer_ms >= 0);
  // As curl's cumulative marks: dns <= connect <= tls <= first byte <= total.
  const double connected = t.dns_ms + t.connect_ms, secured = connected + t.tls_ms;
  const double first_byte = secured + t.ttfb_ms;
  CHECK(t.dns_ms <= connected);
  CHECK(connected <= secured);
  CHECK(secured <= first_byte);
  CHECK(first_byte + t.transfer_ms <= t.total_ms + 0.01);
}

}  // namespace

TEST_CASE("certificate dates as curl prints them") {
  using rb::http::parse_cert_time;
  CHECK(parse_cert_time("Jan 17 12:00:00 2027 GMT") == 1800187200);
  CHECK(parse_cert_time(" Mar  7 01:02:03 2030 GMT") == 1899075723);
  CHECK(parse_cert_time("Mar  7 01:02:03.5 2030 GMT") == 1899075723);
  CHECK(parse_cert_time("2030-03-07 01:02:03") == 0);
  CHECK(parse_cert_time("Foo 7 01:02:03 2030 GMT") == 0);
  CHECK(parse_cert_time("Feb 30 01:02:03 2030 GMT") == 0);
  CHECK(parse_cert_time("") == 0);
}

TEST_CASE("timing phases are present and ordered over HTTP and HTTPS") {
  http_server plain;
  const tls_site secure(tls_cert::valid);
  const auto h = fetch(plain.url("/big?bytes=200000"));
  REQUIRE(h.status == 200);
  check_phases(h.time, false);
  CHECK(h.cert_expires_at == 0);
  CHECK(h.remote_ip == "127.0.0.1");
  const auto s = fetch(secure.trusting("/big?bytes=200000"));
  INFO(s.error);
  REQUIRE(s.status == 200);
  check_phases(s.time, true);
  auto named = get("http://localhost:" + std::to_string(plain.port()) + "/ok");
  named.ip = rb::http_request::ip_family::v4;
  const auto n = fetch(named);
  REQUIRE(n.status == 200);
  check_phases(n.time, false);
}

TEST_CASE("HTTPS: verified against the CA file, expiry reported") {
  const tls_site site(tls_cert::valid);
  const auto ok = fetch(site.trusting("/ok"));
  INFO(ok.error);
  CHECK(ok.responded);
  CHECK(ok.body == "hello");
  CHECK(ok.cert_expires_at == test_pki::valid_not_after);
  CHECK(ok.remote_ip == "127.0.0.1");
  // Without the CA, the system store does not know the issuer.
  const auto unknown = fetch(get(site.server.url("/ok")));
  CHECK_FALSE(unknown.responded);
  CHECK(contains(unknown.error, "certificate"));
}

TEST_CASE("HTTPS: an expired certificate fails verification, passes without it") {
  const tls_site site(tls_cert::expired);
  auto req = site.trusting("/ok");
  const auto verified = fetch(req);
  CHECK_FALSE(verified.responded);
  CHECK(contains(verified.error, "expired"));
  req.verify_tls = false;
  const auto unverified = fetch(req);
  INFO(unverified.error);
  CHECK(unverified.status == 200);
  CHECK(unverified.cert_expires_at == site.pki.expired_not_after());
}

TEST_CASE("HTTPS: a certificate for another host fails verification, passes without it") {
  const tls_site site(tls_cert::wrong_host);
  auto req = site.trusting("/ok");
  const auto verified = fetch(req);
  CHECK_FALSE(verified.responded);
  INFO(verified.error);
  CHECK(contains(verified.error, "127.0.0.1"));
  CHECK(contains(verified.error, "subject"));
  req.verify_tls = false;
  const auto unverified = fetch(req);
  CHECK(unverified.status == 200);
  CHECK(unverified.cert_expires_at > 0);
}

TEST_CASE("HTTPS: a server that requires a client certificate") {
  const tls_site site(tls_cert::valid, true);
  auto req = site.trusting("/echo");
  const auto without = fetch(req);
  CHECK_FALSE(without.responded);
  CHECK_FALSE(without.error.empty());
  req.client_cert = site.pki.client_cert();
  req.client_key = site.pki.client_key();
  const auto with = fetch(req);
  INFO(with.error);
  REQUIRE(with.status == 200);
  CHECK(nlohmann::json::parse(with.body)["client_cert"] == "rulebook test client");
}

TEST_CASE("proxy: requests go through it; without one the environment's is ignored") {
  http_server proxy;
  const tls_site secure(tls_cert::valid);
  // A name only the proxy can reach: .invalid never resolves.
  auto req = get("http://only-the-proxy-knows.invalid/echo");
  req.proxy = proxy.url("");
  const auto via = fetch(req);
  INFO(via.error);
  REQUIRE(via.status == 200);
  CHECK(nlohmann::json::parse(via.body)["target"] == "http://only-the-proxy-knows.invalid/echo");
  CHECK(proxy.proxied() == 1);
  // HTTPS through the proxy: a CONNECT tunnel, end-to-end verification.
  auto tunneled = secure.trusting("/ok");
  tunneled.proxy = proxy.url("");
  const auto t = fetch(tunneled);
  INFO(t.error);
  CHECK(t.body == "hello");
  CHECK(t.cert_expires_at == test_pki::valid_not_after);
  CHECK(proxy.proxied() == 2);
  // A dead proxy in the environment does not matter when no proxy is asked for.
  const std::string dead = "http://127.0.0.1:" + std::to_string(rb::test::closed_loopback_port());
  for (const char* name : {"http_proxy", "https_proxy", "all_proxy", "ALL_PROXY"})
    ::setenv(name, dead.c_str(), 1);
  const auto direct = fetch(proxy.url("/ok"));
  for (const char* name : {"http_proxy", "https_proxy", "all_proxy", "ALL_PROXY"}) ::unsetenv(name);
  CHECK(direct.body == "hello");
  CHECK(proxy.proxied() == 2);
}

TEST_CASE("IP family: v4 or v6 addresses of one name") {
  http_server server({.ipv6_too = true});
  if (!server.has_ipv6()) {
    MESSAGE("no [::1] on this machine: IPv6 case skipped");
    return;
  }
  const std::string url = "http://localhost:" + std::to_string(server.port()) + "/ok";
  auto req = get(url);
  req.ip = rb::http_request::ip_family::v4;
  const auto v4 = fetch(req);
  CHECK(v4.body == "hello");
  CHECK(v4.remote_ip == "127.0.0.1");
  req.ip = rb::http_request::ip_family::v6;
  const auto v6 = fetch(req);
  INFO(v6.error);
  CHECK(v6.body == "hello");
  CHECK(v6.remote_ip == "::1");
  auto literal = get(server.url_v6("/ok"));
  CHECK(fetch(literal).remote_ip == "::1");
  literal.ip = rb::http_request::ip_family::v4;  // an IPv6 literal has no IPv4 address
  CHECK_FALSE(fetch(literal).responded);
}

TEST_CASE("routes for http_check conditions: status, JSON, echo, reset") {
  http_server server;
  const auto unavailable = fetch(server.url("/status/503"));
  CHECK(unavailable.responded);
  CHECK(unavailable.status == 503);
  const auto json = fetch(server.url("/json"));
  CHECK(nlohmann::json::parse(json.body)["n"] == 42);
  auto post = get(server.url("/echo"));
  post.method = "POST";
  post.body = R"({"a":1})";
  post.headers = {{"X-Check", "yes"}};
  const auto echo = nlohmann::json::parse(fetch(post).body);
  CHECK(echo["method"] == "POST");
  CHECK(echo["body"] == R"({"a":1})");
  CHECK(echo["headers"]["x-check"] == "yes");
  const auto reset = fetch(server.url("/reset"));
  CHECK_FALSE(reset.responded);
  INFO(reset.error);
  CHECK(contains(reset.error, "reset"));
}

TEST_CASE("max_body_bytes keeps the start of the body, bytes counts all of it") {
  http_server server;
  auto req = get(server.url("/big?bytes=300000"));
  req.max_body_bytes = 1000;
  const auto capped = fetch(req);
  CHECK(capped.status == 200);
  CHECK(capped.body == std::string(1000, 'x'));
  CHECK(capped.bytes == 300000);
  req.max_body_bytes = 0;
  const auto none = fetch(req);
  CHECK(none.body.empty());
  CHECK(none.bytes == 300000);
}

// A label of 64 characters is not a DNS name: the resolver refuses it without sending a query,
// so no test traffic leaves the machine (a plain ".invalid" name is still asked upstream).
const std::string unresolvable_url = "http://" + std::string(64, 'a') + ".invalid/";

TEST_CASE("a name that does not resolve says so") {
  const auto r = fetch(unresolvable_url, 10s);
  CHECK_FALSE(r.responded);
  INFO(r.error);
  CHECK(contains(r.error, "resolve"));
  CHECK(r.remote_ip.empty());
}

TEST_CASE("a reused easy handle carries nothing from the check before") {
  const tls_site secure(tls_cert::valid);
  http_server plain;
  boost::asio::io_context io;
  rb::http::client c(io);
  // One at a time on one client: each send() takes the handle the previous check left.
  const auto one = [&](rb::http_request r) {
    rb::http_response got;
    c.send(std::move(r), [&](rb::http_response resp) { got = std::move(resp); });
    io.restart();
    io.run_for(10s);
    return got;
  };
  const auto https = one(secure.trusting("/ok"));
  REQUIRE(https.status == 200);
  CHECK(https.cert_expires_at == test_pki::valid_not_after);
  const auto http = one(get(plain.url("/ok")));
  CHECK(http.status == 200);
  CHECK(http.cert_expires_at == 0);
  CHECK(http.time.tls_ms == 0);
  CHECK(one(secure.trusting("/ok")).cert_expires_at == test_pki::valid_not_after);
  const auto unresolved = one(get(unresolvable_url));
  CHECK_FALSE(unresolved.responded);
  CHECK(unresolved.remote_ip.empty());
  CHECK(unresolved.cert_expires_at == 0);
  CHECK(unresolved.bytes == 0);
}
