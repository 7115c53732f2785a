#include "core/metrics.h"

#include <cmath>
#include <cstdio>

namespace rb {

namespace {

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.15g", v);
  out += buf;
}

void append_escaped(std::string& out, const std::string& s, bool quote_too) {
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote_too)
      out += "\\\"";
    else
      out += c;
  }
}

const char* type_name(metrics::kind k) {
  switch (k) {
    case metrics::kind::counter:
      return "counter";
    case metrics::kind::gauge:
      return "gauge";
    case metrics::kind::histogram:
      return "histogram";
  }
  return "untyped";
}

// The labels with one more pair, for the `le` of histogram buckets.
std::string labels_with(const metric_labels& labels, const std::string& key,
                        const std::string& value) {
  metric_labels all = labels;
  all.emplace_back(key, value);
  return render_labels(all);
}

}  // namespace

std::string render_labels(const metric_labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first;
    out += "=\"";
    append_escaped(out, labels[i].second, true);
    out += '"';
  }
  out += '}';
  return out;
}

metric_histogram::metric_histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void metric_histogram::observe(double v) noexcept {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0) sum_micros_.fetch_add(static_cast<std::uint64_t>(v * 1e6 + 0.5));
}

metric_histogram::snapshot metric_histogram::read() const {
  snapshot s;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  // The +Inf bucket and the count must agree, whatever was observed meanwhile.
  s.count = running;
  s.sum = static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
  return s;
}

const std::vector<double>& metrics::latency_buckets() {
  static const std::vector<double> b = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                        0.25,  0.5,    1,     2.5,  5,     10};
  return b;
}

metrics::family& metrics::family_of(const std::string& name, const std::string& help, kind k) {
  auto it = by_name_.find(name);
  if (it != by_name_.end()) return *it->second;
  families_.push_back(std::make_unique<family>(family{name, help, k, {}}));
  by_name_[name] = families_.back().get();
  return *families_.back();
}

metric_counter& metrics::counter(const std::string& name, const std::string& help,
                                 const metric_labels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  family& f = family_of(name, help, kind::counter);
  series& s = f.by_labels[render_labels(labels)];
  if (!s.counter) {
    s.labels = labels;
    s.counter = &counters_.emplace_back();
  }
  return *s.counter;
}

metric_histogram& metrics::histogram(const std::string& name, const std::string& help,
                                     const metric_labels& labels,
                                     const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> lock(mutex_);
  family& f = family_of(name, help, kind::histogram);
  series& s = f.by_labels[render_labels(labels)];
  if (!s.histogram) {
    s.labels = labels;
    s.histogram = &histograms_.emplace_back(bounds);
  }
  return *s.histogram;
}

void metrics::callback(const std::string& name, const std::string& help, kind k,
                       const metric_labels& labels, std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mutex_);
  family& f = family_of(name, help, k);
  series& s = f.by_labels[render_labels(labels)];
  s.labels = labels;
  s.read = std::move(read);
}

std::string metrics::render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  out.reserve(4096);
  for (const auto& f : families_) {
    if (f->by_labels.empty()) continue;
    out += "# HELP ";
    out += f->name;
    out += ' ';
    append_escaped(out, f->help, false);
    out += "\n# TYPE ";
    out += f->name;
    out += ' ';
    out += type_name(f->type);
    out += '\n';
    for (const auto& [key, s] : f->by_labels) {
      if (s.histogram) {
        const auto snap = s.histogram->read();
        const auto& bounds = s.histogram->bounds();
        for (std::size_t i = 0; i <= bounds.size(); ++i) {
          std::string le;
          if (i < bounds.size())
            append_number(le, bounds[i]);
          else
            le = "+Inf";
          out += f->name + "_bucket" + labels_with(s.labels, "le", le) + ' ';
          append_number(out, static_cast<double>(snap.cumulative[i]));
          out += '\n';
        }
        out += f->name + "_sum" + key + ' ';
        append_number(out, snap.sum);
        out += '\n' + f->name + "_count" + key + ' ';
        append_number(out, static_cast<double>(snap.count));
        out += '\n';
        continue;
      }
      out += f->name;
      out += key;
      out += ' ';
      append_number(
          out, s.counter ? static_cast<double>(s.counter->value()) : (s.read ? s.read() : 0.0));
      out += '\n';
    }
  }
  return out;
}

}  // namespace rb
