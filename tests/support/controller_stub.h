// controller_stub: a stand-in for an AWX / Automation Controller REST API v2 on 127.0.0.1, for
// the run_job_template / run_workflow_template tests. A controller cannot be installed here, so
// this is the one place where we stand in for a real server; it answers the documented endpoints
// the engine uses, and nothing else (404):
//   GET  /api/v2/unified_job_templates/?name=N[&page=P]   one template per page (so that paging
//        and the organization check are exercised), {count, next, previous, results}
//   POST /api/v2/job_templates/ID/launch/                  201 {job, id, url: /api/v2/jobs/J/}
//   POST /api/v2/workflow_job_templates/ID/launch/         201 {workflow_job, id, url}
//   GET  /api/v2/jobs/J/ and /api/v2/workflow_jobs/J/      {id, status, created, artifacts, ...}
//        the status walks the run's statuses, one per poll (pending → running → successful, say)
//   GET  /api/v2/config/                                    {version}
// Every request needs `Authorization: Bearer <token>` or Basic <username>:<password>; otherwise
// 401 {"detail": "Authentication credentials were not provided."}. One thread, one connection
// at a time, each response closes its connection.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rb::test {

struct stub_template {
  std::string name;
  std::string organization;
  bool workflow = false;
  // Launch k follows runs[min(k, size-1)]: the statuses successive polls see; the last one should
  // be terminal (successful | failed | error | canceled).
  std::vector<std::vector<std::string>> runs = {{"pending", "running", "successful"}};
  nlohmann::json artifacts = nlohmann::json::object();  // of a finished job
  bool ask_limit_on_launch = true;
};

struct stub_request {
  std::string method;
  std::string target;  // path and query
  std::string authorization;
  nlohmann::json body;  // parsed JSON body (null when none)
};

class controller_stub {
 public:
  controller_stub(std::string token, std::string username = {}, std::string password = {});
  ~controller_stub();
  controller_stub(const controller_stub&) = delete;
  controller_stub& operator=(const controller_stub&) = delete;

  void add(stub_template t);  // before the engine runs
  std::string url() const;    // http://127.0.0.1:PORT
  // Every request received so far, in order.
  std::vector<stub_request> requests() const;
  // The launch requests only.
  std::vector<stub_request> launches() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rb::test
