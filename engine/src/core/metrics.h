// metrics: counters, gauges and histograms, rendered in the Prometheus text format (version
// 0.0.4) for /metrics. No third-party library: the format is a page of text.
//
// Series are made at load time where possible (a source's sink, a rule, an action type) and
// kept as references: the hot path is one relaxed atomic add. Series made later (an action's
// status) go through a mutex-guarded map once per call; keep those off per-event paths.
// Gauges are functions read at scrape time (queue depths, HA role, the heartbeat store's stats).
// Every method is safe from any thread; references stay valid for the registry's life.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rb {

using metric_labels = std::vector<std::pair<std::string, std::string>>;

class metric_counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class metric_histogram {
 public:
  explicit metric_histogram(const std::vector<double>& bounds);
  void observe(double v) noexcept;
  struct snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  snapshot read() const;
  const std::vector<double>& bounds() const noexcept { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative; +Inf last
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};  // sum in millionths: an integer add, no CAS loop
};

class metrics {
 public:
  enum class kind { counter, gauge, histogram };

  // Seconds: 1 ms to 10 s, what HTTP phases and actions take.
  static const std::vector<double>& latency_buckets();

  // The series `name{labels}` of a counter family, made on first use. `help` is kept from the
  // family's first declaration.
  metric_counter& counter(const std::string& name, const std::string& help,
                          const metric_labels& labels = {});
  metric_histogram& histogram(const std::string& name, const std::string& help,
                              const metric_labels& labels = {},
                              const std::vector<double>& bounds = latency_buckets());
  // A gauge (or, with kind::counter, a counter kept elsewhere) read by calling `read` at scrape.
  void callback(const std::string& name, const std::string& help, kind k,
                const metric_labels& labels, std::function<double()> read);

  // Every family in registration order, series in label order.
  std::string render() const;

 private:
  struct series {
    metric_labels labels;
    metric_counter* counter = nullptr;
    metric_histogram* histogram = nullptr;
    std::function<double()> read;
  };
  struct family {
    std::string name, help;
    kind type;
    std::map<std::string, series> by_labels;  // key: rendered labels
  };
  family& family_of(const std::string& name, const std::string& help, kind k);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<family>> families_;
  std::map<std::string, family*> by_name_;
  std::deque<metric_counter> counters_;  // deques: references stay valid as they grow
  std::deque<metric_histogram> histograms_;
};

// One counter per HTTP status code of a family (`code` label added to `labels`), made on the
// code's first use; afterwards a count is an array lookup. Not thread-safe: one loop uses it.
class status_counters {
 public:
  status_counters(metrics& registry, std::string name, std::string help, metric_labels labels)
      : registry_(registry),
        name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)) {}
  void count(int code) {
    if (code < 100 || code > 599) return;
    metric_counter*& c = by_code_[static_cast<std::size_t>(code - 100)];
    if (!c) {
      metric_labels l = labels_;
      l.emplace_back("code", std::to_string(code));
      c = &registry_.counter(name_, help_, l);
    }
    c->inc();
  }

 private:
  metrics& registry_;
  std::string name_, help_;
  metric_labels labels_;
  std::array<metric_counter*, 500> by_code_{};
};

// `{a="x",b="y"}` with the format's escapes, or "" without labels.
std::string render_labels(const metric_labels& labels);

}  // namespace rb
