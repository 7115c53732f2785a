// test_pki: a throwaway certificate authority for TLS tests, made with OpenSSL's C API when the
// object is built (EC P-256 keys: a few milliseconds) and written as PEM files into a temporary
// directory that the destructor removes. Nothing depends on the `openssl` CLI or on the clock
// being in a particular year: validity periods are relative to now, except `valid_not_after`.
//
// Files (all PEM): ca_cert; server_cert/server_key (SAN 127.0.0.1, ::1, localhost, signed by
// the CA, notAfter = valid_not_after); expired_cert (same names, expired yesterday); wrong_host
// (SAN wrong.example only); client_cert/client_key (clientAuth, signed by the CA). The three
// server certificates share server_key.
#pragma once

#include <string>

namespace rb::test {

class test_pki {
 public:
  // Fixed so that tests can compare it: 2030-03-17 17:46:40 UTC.
  static constexpr long long valid_not_after = 1900000000;

  test_pki();
  ~test_pki();
  test_pki(const test_pki&) = delete;
  test_pki& operator=(const test_pki&) = delete;

  // notAfter of expired_cert (a day before the object was built).
  long long expired_not_after() const noexcept { return expired_not_after_; }
  const std::string& dir() const noexcept { return dir_; }
  std::string ca_cert() const { return dir_ + "/ca.pem"; }
  std::string server_cert() const { return dir_ + "/server.pem"; }
  std::string server_key() const { return dir_ + "/server.key"; }
  std::string expired_cert() const { return dir_ + "/expired.pem"; }
  std::string wrong_host_cert() const { return dir_ + "/wrong_host.pem"; }
  std::string client_cert() const { return dir_ + "/client.pem"; }
  std::string client_key() const { return dir_ + "/client.key"; }

 private:
  std::string dir_;
  long long expired_not_after_ = 0;
};

}  // namespace rb::test
