#include "support/test_pki.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace rb::test {

namespace {

struct pkey_free {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct x509_free {
  void operator()(X509* c) const noexcept { X509_free(c); }
};
struct ext_free {
  void operator()(X509_EXTENSION* x) const noexcept { X509_EXTENSION_free(x); }
};
struct file_close {
  void operator()(FILE* f) const noexcept { std::fclose(f); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test_pki: ") + what + " failed");
}

pkey_ptr new_key() {
  pkey_ptr k(EVP_EC_gen("P-256"));
  check(k != nullptr, "EVP_EC_gen");
  return k;
}

struct cert_spec {
  std::string common_name;
  std::time_t not_before;
  std::time_t not_after;
  // extension name → value, in openssl.cnf syntax ("subjectAltName" → "IP:127.0.0.1,...")
  std::vector<std::pair<const char*, std::string>> extensions;
};

// A certificate for `key`, signed by `issuer_key` (self-signed when issuer is null).
x509_ptr make_cert(const cert_spec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1;
  x509_ptr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509* c = cert.get();
  check(X509_set_version(c, 2) == 1, "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(c), serial++) == 1, "serial");
  check(ASN1_TIME_set(X509_getm_notBefore(c), spec.not_before) != nullptr, "notBefore");
  check(ASN1_TIME_set(X509_getm_notAfter(c), spec.not_after) != nullptr, "notAfter");
  check(X509_set_pubkey(c, key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(c);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                   -1, -1, 0) == 1,
        "subject");
  check(X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name) == 1, "issuer");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : c, c, nullptr, nullptr, 0);
  for (const auto& [ext_name, value] : spec.extensions) {
    std::unique_ptr<X509_EXTENSION, ext_free> ext(
        X509V3_EXT_conf(nullptr, &ctx, ext_name, value.c_str()));
    check(ext != nullptr, ext_name);
    check(X509_add_ext(c, ext.get(), -1) == 1, "X509_add_ext");
  }
  check(X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

std::unique_ptr<FILE, file_close> open_for_writing(const std::string& path) {
  std::unique_ptr<FILE, file_close> f(std::fopen(path.c_str(), "w"));
  check(f != nullptr, "fopen");
  return f;
}

void write_cert(const std::string& path, X509* cert) {
  auto f = open_for_writing(path);
  check(PEM_write_X509(f.get(), cert) == 1, "PEM_write_X509");
}

void write_key(const std::string& path, EVP_PKEY* key) {
  auto f = open_for_writing(path);
  check(PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_PrivateKey");
}

}  // namespace

test_pki::test_pki() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "rb_pki_XXXXXX").string();
  check(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
  dir_ = tmpl;
  try {
    const std::time_t now = std::time(nullptr);
    constexpr std::time_t day = 86400;
    const pkey_ptr ca_key = new_key(), server_k = new_key(), client_k = new_key();
    const x509_ptr ca = make_cert({"rulebook test CA",
                                   now - day,
                                   now + 3650 * day,
                                   {{"basicConstraints", "critical,CA:TRUE"},
                                    {"keyUsage", "critical,keyCertSign,cRLSign"},
                                    {"subjectKeyIdentifier", "hash"}}},
                                  ca_key.get(), nullptr, nullptr);
    const auto server_spec = [&](std::string san, std::time_t from, std::time_t to) {
      return cert_spec{"rulebook test server",
                       from,
                       to,
                       {{"basicConstraints", "CA:FALSE"},
                        {"keyUsage", "critical,digitalSignature"},
                        {"extendedKeyUsage", "serverAuth"},
                        {"subjectAltName", std::move(san)},
                        {"authorityKeyIdentifier", "keyid"}}};
    };
    const std::string loopback = "IP:127.0.0.1,IP:::1,DNS:localhost";
    const x509_ptr server = make_cert(server_spec(loopback, now - day, valid_not_after),
                                      server_k.get(), ca.get(), ca_key.get());
    expired_not_after_ = now - day;
    const x509_ptr expired = make_cert(server_spec(loopback, now - 30 * day, now - day),
                                       server_k.get(), ca.get(), ca_key.get());
    const x509_ptr wrong = make_cert(server_spec("DNS:wrong.example", now - day, now + 30 * day),
                                     server_k.get(), ca.get(), ca_key.get());
    const x509_ptr client = make_cert({"rulebook test client",
                                       now - day,
                                       now + 30 * day,
                                       {{"basicConstraints", "CA:FALSE"},
                                        {"keyUsage", "critical,digitalSignature"},
                                        {"extendedKeyUsage", "clientAuth"},
                                        {"authorityKeyIdentifier", "keyid"}}},
                                      client_k.get(), ca.get(), ca_key.get());
    write_cert(ca_cert(), ca.get());
    write_cert(server_cert(), server.get());
    write_key(server_key(), server_k.get());
    write_cert(expired_cert(), expired.get());
    write_cert(wrong_host_cert(), wrong.get());
    write_cert(client_cert(), client.get());
    write_key(client_key(), client_k.get());
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

test_pki::~test_pki() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace rb::test
