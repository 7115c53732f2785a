// controller_client: launches job templates and workflow job templates on an AWX / Automation
// Controller through its REST API v2 and follows the job to its end, on the loop's HTTP client
// (never a blocking call, never a thread), as ansible-rulebook's job_template_runner does:
//   1. GET <api>unified_job_templates/?name=NAME (pages followed through `next`): the first result
//      of the wanted type (job_template | workflow_job_template) with that name whose
//      summary_fields.organization.name is the organization (a template without one matches);
//   2. POST its related.launch with the job parameters (extra_vars, limit, ...); a workflow
//      template that does not prompt for a limit gets none;
//   3. GET the launched job's `url` every poll interval until its status is successful, failed,
//      error or canceled; the last answer (with `artifacts`) is the result.
// <api> is the URL + "api/v2/" when the URL has no path (https://host:port), else the URL +
// "v2/" (a gateway's https://host/api/controller/). Authentication: a Bearer token, else HTTP
// Basic with username and password. TLS: ssl_verify yes|true (default), no|false, or the path of a
// CA bundle. Secrets never reach a log line or an error message.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/http.h"
#include "core/value.h"

namespace rb::actions {

struct controller_settings {
  std::string url;  // --controller-url / EDA_CONTROLLER_URL; empty: no controller
  std::string token;
  std::string username;
  std::string password;
  std::string ssl_verify = "yes";  // yes | true | no | false | path of a CA bundle
  // Between two looks at a running job (EDA_JOB_TEMPLATE_REFRESH_DELAY, as ansible-rulebook).
  std::chrono::milliseconds poll_interval{10000};
  std::chrono::milliseconds request_timeout{30000};  // each API call
  // Transient failures of the lookup and the launch (ansible-rulebook's defaults: 5 attempts in
  // all, 2 s after the first, doubling, at most 60 s apart).
  int retry_attempts = 5;
  std::chrono::milliseconds retry_first_delay{2000};
  std::chrono::milliseconds retry_max_delay{60000};
};

// Checks the settings as a whole (URL scheme and host, credentials present); "" when fine.
std::string controller_settings_problem(const controller_settings& s);

enum class template_kind { job, workflow };

struct controller_outcome {
  // false: the API refused or failed (no template, 401, bad answer); `error` says why and `job`
  // is null. true: the job reached a terminal status, in job["status"].
  bool ended = false;
  std::string error;
  value job = nullptr;  // the job as the controller last described it (id, status, created, ...)
};

// One launch-and-follow. Dropping the handle does not stop it; cancel() does (no callback then).
class controller_run {
 public:
  virtual ~controller_run() = default;
  virtual void cancel() noexcept = 0;
  // The launched job's API URL, once launched ("" before).
  virtual const std::string& job_url() const noexcept = 0;
};

// Starts finding, launching and following the template. `done` is called once, later, on the
// loop, unless cancelled. `settings` and `http` must outlive the run.
std::shared_ptr<controller_run> run_controller_template(
    const controller_settings& settings, http_sender& http, boost::asio::any_io_executor executor,
    template_kind kind, std::string name, std::string organization, value job_params,
    std::function<void(controller_outcome)> done);

// At start-up, as ansible-rulebook: GET <api>config/ and log the controller's version (info), or
// why it cannot be used (a warning: here each action then fails with its own record, where
// ansible-rulebook refuses to start). Completes on the loop; `settings` and `http` must outlive it.
void log_controller_version(const controller_settings& settings, http_sender& http);

// The job's page in the controller's UI: <scheme://host>/#/jobs/ID/details or
// /#/jobs/workflow/ID/details, as ansible-rulebook reports it.
std::string controller_job_ui_url(const controller_settings& s, template_kind kind,
                                  const value& job_id);

// Percent-encoding of a query value; Base64 (RFC 4648, padded). Exposed for tests.
std::string url_encode(std::string_view text);
std::string base64_encode(std::string_view bytes);

}  // namespace rb::actions
