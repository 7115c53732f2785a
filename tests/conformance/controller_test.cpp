// run_job_template and run_workflow_template with the real binary against a loopback stand-in
// for the controller's REST API v2 (tests/support/controller_stub.h): a controller cannot be
// installed here, so the stub answers the documented endpoints (template lookup, launch, job
// status, artifacts, 401, 404) the way the API documents them.

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <map>
#include <thread>

#include "conformance.h"
#include "support/controller_stub.h"

using namespace conformance;

namespace {

rb::test::controller_stub make_stub(const std::string& token, const std::string& user = {},
                                    const std::string& password = {}) {
  return rb::test::controller_stub(token, user, password);
}

void add_templates(rb::test::controller_stub& c) {
  // Same name in another organization first: the lookup must page on to the right one.
  c.add({"Deploy App", "Other", false, {{"failed"}}, {{"wrong", true}}});
  c.add({"Deploy App",
         "Default",
         false,
         {{"pending", "running", "successful"}},
         {{"deployed_version", "1.2.3"}}});
  c.add({"Flaky",
         "Default",
         false,
         {{"running", "failed"}, {"running", "failed"}, {"running", "successful"}},
         {}});
  c.add({"Broken", "Default", false, {{"pending", "failed"}}, {}});
  rb::test::stub_template wf{
      "Rollout", "Ops", true, {{"pending", "running", "successful"}}, {{"rolled_out", true}}};
  wf.ask_limit_on_launch = false;
  c.add(wf);
}

// Runs a rulebook of tests/conformance/rulebooks with an audit log, `args` and `env`.
outcome run_with_env(const std::string& name, std::vector<std::string> args,
                     const std::vector<std::string>& env) {
  rb::test::temp_dir dir;
  const std::string audit = dir.path() + "/audit.jsonl";
  std::vector<std::string> all = {"-r", rulebook_path(name), "--audit-log", audit};
  all.insert(all.end(), args.begin(), args.end());
  outcome o;
  o.run = rb::test::run_rulebook(all, std::chrono::seconds(20), env);
  o.records = rb::test::read_jsonl(audit);
  INFO("stderr: " << o.run.err);
  CHECK_FALSE(o.run.timed_out);
  return o;
}

std::map<std::string, std::vector<value>> by_rule(const outcome& o) {
  std::map<std::string, std::vector<value>> out;
  for (const auto& r : o.action_records()) out[r["rule"].get<std::string>()].push_back(r);
  return out;
}

const std::vector<std::string> fast_polls = {"EDA_JOB_TEMPLATE_REFRESH_DELAY=0.02"};

}  // namespace

TEST_CASE("controller: job and workflow templates, artifacts, retries, failures (flags, token)") {
  auto stub = make_stub("s3cret-token");
  add_templates(stub);
  const auto o = run_with_env(
      "controller_jobs.yml",
      {"--controller-url", stub.url(), "--controller-token", "s3cret-token", "-v"}, fast_polls);
  INFO("stderr: " << o.run.err);
  CHECK(o.run.exit_code == 0);
  CHECK(o.run.err.find("s3cret-token") == std::string::npos);           // never logged
  CHECK(o.err_has("controller at " + stub.url() + ": version 4.5.0"));  // the start-up probe
  auto rules = by_rule(o);

  // Success: the record, and the request the controller received.
  REQUIRE(rules["deploy"].size() == 1);
  const value& d = rules["deploy"][0];
  CHECK(d["action"] == "run_job_template");
  CHECK(d["status"] == "successful");
  CHECK(d["job_template_name"] == "Deploy App");
  CHECK(d["organization"] == "Default");
  CHECK(d["run_at"] == "2026-01-02T03:04:05.123456Z");  // the job's `created`
  CHECK(d["job_id"].get<std::string>().size() == 36);
  const value job_id = d["controller_job_id"];
  REQUIRE(job_id.is_number_integer());
  CHECK(d["url"] == stub.url() + "/#/jobs/" + job_id.dump() + "/details");
  CHECK(events_of(d)["m"]["action"] == "deploy");
  CHECK_FALSE(d.contains("message"));

  const auto launches = stub.launches();
  std::map<std::string, std::vector<value>> bodies;  // launch path → bodies
  for (const auto& l : launches) bodies[l.target].push_back(l.body);
  const auto& deploy = bodies["/api/v2/job_templates/2/launch/"];  // Default's, not Other's
  CHECK(bodies.count("/api/v2/job_templates/1/launch/") == 0);
  REQUIRE(deploy.size() == 1);
  CHECK(deploy[0]["limit"] == "web1,web2");  // the ruleset's hosts
  const value& extra = deploy[0]["extra_vars"];
  CHECK(extra["wanted"] == "1.2.3");
  CHECK(extra["ansible_eda"]["ruleset"] == "controller jobs");
  CHECK(extra["ansible_eda"]["rule"] == "deploy");
  CHECK(without_meta(extra["ansible_eda"]["event"]) ==
        value{{"action", "deploy"}, {"version", "1.2.3"}});
  for (const auto& r : stub.requests()) CHECK(r.authorization == "Bearer s3cret-token");

  // The artifacts came back as a fact (set_facts) and as an event (post_events).
  REQUIRE(rules["artifacts back"].size() == 2);
  std::vector<std::string> sources;
  for (const auto& r : rules["artifacts back"]) {
    CHECK(without_meta(r["matching_events"]["m"]) == value{{"deployed_version", "1.2.3"}});
    sources.push_back(r["matching_events"]["m"]["meta"]["source"]["name"].get<std::string>());
  }
  std::sort(sources.begin(), sources.end());
  CHECK(sources == std::vector<std::string>{"post_event", "set_fact"});

  // Retried twice after failing, then successful; the explicit limit list is joined.
  REQUIRE(rules["flaky"].size() == 1);
  CHECK(rules["flaky"][0]["status"] == "successful");
  const auto& flaky = bodies["/api/v2/job_templates/3/launch/"];
  CHECK(flaky.size() == 3);
  if (!flaky.empty()) CHECK(flaky[0]["limit"] == "db1,db2");

  // A failed job: retried once (retry: true), then a failed record; no events sent.
  REQUIRE(rules["broken"].size() == 1);
  const value& b = rules["broken"][0];
  CHECK(b["status"] == "failed");
  CHECK(b["controller_job_id"].is_number_integer());
  CHECK(b["message"].get<std::string>().find("'Broken'") != std::string::npos);
  const auto& broken = bodies["/api/v2/job_templates/4/launch/"];
  CHECK(broken.size() == 2);
  if (!broken.empty()) CHECK(broken[0]["extra_vars"] == value::object());  // include_events false
  CHECK(o.err_has("rule 'broken': action 'run_job_template' failed"));

  // No such template: a failed record with ansible-rulebook's message; not retried.
  REQUIRE(rules["missing"].size() == 1);
  const value& m = rules["missing"][0];
  CHECK(m["status"] == "failed");
  CHECK(m["message"] == "Job template Nope in organization Default does not exist");
  CHECK(m["reason"]["error"] == m["message"]);
  CHECK(m["url"] == "");
  CHECK(m["controller_job_id"] == "");
  CHECK(o.err_has("rule 'missing': action 'run_job_template' failed"));

  // The workflow: its record names it `name`, its URL is the workflow's page, no limit sent.
  REQUIRE(rules["workflow"].size() == 1);
  const value& w = rules["workflow"][0];
  CHECK(w["action"] == "run_workflow_template");
  CHECK(w["status"] == "successful");
  CHECK(w["name"] == "Rollout");
  CHECK(w["organization"] == "Ops");
  CHECK(w["url"] == stub.url() + "/#/jobs/workflow/" + w["controller_job_id"].dump() + "/details");
  const auto& rollout = bodies["/api/v2/workflow_job_templates/5/launch/"];
  REQUIRE(rollout.size() == 1);
  CHECK_FALSE(rollout[0].contains("limit"));
  CHECK(rollout[0]["extra_vars"]["ansible_eda"]["rule"] == "workflow");
  CHECK(rules["workflow artifacts"].size() == 1);

  // Jobs were followed through their statuses: the deploy job was polled three times.
  int polls = 0;
  for (const auto& r : stub.requests())
    if (r.method == "GET" && r.target == "/api/v2/jobs/" + job_id.dump() + "/") ++polls;
  CHECK(polls == 3);
}

TEST_CASE("controller: EDA_CONTROLLER_* variables with basic auth; a refused token") {
  auto stub = make_stub("the-token", "eda", "pa55word");
  add_templates(stub);
  SUBCASE("username and password from the environment") {
    const auto o =
        run_with_env("controller_one.yml", {},
                     {"EDA_JOB_TEMPLATE_REFRESH_DELAY=0.02", "EDA_CONTROLLER_URL=" + stub.url(),
                      "EDA_CONTROLLER_USERNAME=eda", "EDA_CONTROLLER_PASSWORD=pa55word",
                      "EDA_CONTROLLER_SSL_VERIFY=no"});
    CHECK(o.run.exit_code == 0);
    CHECK(o.run.err.find("pa55word") == std::string::npos);
    const auto recs = o.action_records();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]["status"] == "successful");
    CHECK(recs[0]["name"] == "Rollout");
    REQUIRE_FALSE(stub.requests().empty());
    CHECK(stub.requests()[0].authorization == "Basic ZWRhOnBhNTV3b3Jk");
  }
  SUBCASE("a token the controller refuses: 401, a failed record, the engine goes on") {
    const auto o =
        run_with_env("controller_one.yml",
                     {"--controller-url", stub.url(), "--controller-token", "wrong"}, fast_polls);
    CHECK(o.run.exit_code == 0);
    const auto recs = o.action_records();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]["status"] == "failed");
    const std::string msg = recs[0]["message"].get<std::string>();
    CHECK(msg.find("401 (Unauthorized)") != std::string::npos);
    CHECK(msg.find("unified_job_templates") != std::string::npos);
    CHECK(o.err_has("rule 'workflow': action 'run_workflow_template' failed"));
    CHECK(stub.launches().empty());
    CHECK(o.err_has("controller: the controller answered 401 (Unauthorized) to GET " + stub.url() +
                    "/api/v2/config/"));
  }
}

TEST_CASE("controller: start-up errors without a controller or with bad settings") {
  SUBCASE("no --controller-url: the rule is named") {
    const auto o = run_with_env("controller_one.yml", {}, {});
    CHECK(o.run.exit_code != 0);
    CHECK(o.err_has("rule 'workflow'"));
    CHECK(o.err_has("--controller-url"));
    CHECK(o.records.empty());
  }
  SUBCASE("a URL without credentials") {
    const auto o =
        run_with_env("controller_one.yml", {"--controller-url", "http://127.0.0.1:1"}, {});
    CHECK(o.run.exit_code == 2);
    CHECK(o.err_has("controller_token or controller_username and controller_password"));
  }
  SUBCASE("not an http(s) URL") {
    const auto o = run_with_env("controller_one.yml", {},
                                {"EDA_CONTROLLER_URL=ftp://x", "EDA_CONTROLLER_TOKEN=t"});
    CHECK(o.run.exit_code == 2);
    CHECK(o.err_has("invalid controller url 'ftp://x'"));
  }
}

TEST_CASE("rulebooks/actions_controller.yml against the stand-in") {
  auto stub = make_stub("tok");
  stub.add({"Restart service",
            "Default",
            false,
            {{"running", "successful"}},
            {{"restarted_service", "nginx"}}});
  stub.add({"Rebuild host", "Default", true, {{"running", "successful"}}, {}});
  rb::test::temp_dir dir;
  const std::string audit = dir.path() + "/audit.jsonl";
  const auto run = rb::test::run_rulebook(
      {"-r", rb::test::source_path("rulebooks/actions_controller.yml"), "--audit-log", audit,
       "--controller-url", stub.url(), "--controller-token", "tok"},
      std::chrono::seconds(20), fast_polls);
  INFO("stderr: " << run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("nginx restarted") != std::string::npos);
  strings got;
  for (const auto& r : rb::test::read_jsonl(audit))
    got.push_back(r["rule"].get<std::string>() + ":" + r["status"].get<std::string>());
  std::sort(got.begin(), got.end());
  CHECK(got == strings{"rebuild the host:successful", "restart the service:successful",
                       "restarted:successful"});
  const auto launches = stub.launches();
  REQUIRE(launches.size() == 2);
  for (const auto& l : launches) {
    if (l.target == "/api/v2/job_templates/1/launch/") {
      CHECK(l.body["limit"] == "web1");
      CHECK(l.body["extra_vars"]["service"] == "nginx");
    } else {
      CHECK(l.body["extra_vars"]["host"] == "db1");
    }
  }
}

TEST_CASE("controller: a shutdown stops following a running job") {
  auto stub = make_stub("tok");
  stub.add({"Rollout", "Ops", true, {{"pending", "running"}}, {}});  // never ends
  rb::test::temp_dir dir;
  const std::string audit = dir.path() + "/audit.jsonl";
  ::setenv("EDA_JOB_TEMPLATE_REFRESH_DELAY", "0.02", 1);
  const int pid = rb::test::spawn_rulebook(
      {"-r", rulebook_path("controller_one.yml"), "--audit-log", audit, "--controller-url",
       stub.url(), "--controller-token", "tok", "--shutdown-delay", "0.3"},
      dir.path() + "/out", dir.path() + "/err");
  ::unsetenv("EDA_JOB_TEMPLATE_REFRESH_DELAY");
  const auto polls = [&] {
    int n = 0;
    for (const auto& r : stub.requests())
      if (r.target.find("/api/v2/workflow_jobs/") == 0) ++n;
    return n;
  };
  for (int i = 0; i < 3000 && polls() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(polls() >= 3);
  const auto t0 = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  const auto run = rb::test::wait_rulebook(pid, dir.path() + "/out", dir.path() + "/err",
                                           std::chrono::seconds(30));
  const auto took = std::chrono::steady_clock::now() - t0;
  INFO("stderr: " << run.err);
  CHECK(run.exit_code == 0);
  CHECK(took < std::chrono::seconds(10));  // the job never ends: the delay (0.3 s) cancelled it
  CHECK(run.err.find("stopped following controller job") != std::string::npos);
  const int after = polls();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(polls() == after);                     // nobody polls any more
  CHECK(rb::test::read_jsonl(audit).empty());  // a cancelled action writes no record
}
