#include "rulebook/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "rulebook/templating.h"
#include "rulebook/yaml_hints.h"
#include "rulebook/yaml_scalar.h"

namespace rb::rulebook {

namespace {

constexpr std::string_view tag_prefix = "tag:yaml.org,2002:";

// yaml-cpp marks a plain scalar "?" and a quoted or block scalar "!" (non-specific tags).
bool is_plain(const YAML::Node& n) { return n.Tag() == "?" || n.Tag().empty(); }

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Aliases can expand a small text into a huge value ("billion laughs"); stop well before memory
// becomes the problem.
constexpr std::size_t max_values = 5'000'000;

struct converter {
  const yaml_document& doc;
  diagnostics& diags;
  const to_value_options& opts;
  std::size_t produced = 0;
  bool too_large = false;

  value scalar(const YAML::Node& n) {
    const std::string& text = n.Scalar();
    const std::string& tag = n.Tag();
    if (is_plain(n)) {
      value v = resolve_plain_scalar(text);
      if (v.is_string()) return render(n, std::move(v));
      return v;
    }
    if (tag == "!") return render(n, value(text));
    if (tag.rfind(tag_prefix, 0) == 0) {
      const std::string_view type = std::string_view(tag).substr(tag_prefix.size());
      std::optional<value> v;
      if (type == "str") return value(text);
      if (type == "int") v = resolve_int(text);
      if (type == "float") v = resolve_float(text);
      if (type == "bool") v = resolve_bool(text);
      if (type == "null" && is_null_scalar(text)) v = value(nullptr);
      if (type == "timestamp") return value(text);
      if (v) return *v;
      if (type == "int" || type == "float" || type == "bool" || type == "null") {
        diags.error(doc.at(n), quote(text) + " is not a valid !!" + std::string(type));
        return value(text);
      }
      diags.error(doc.at(n), "the YAML tag !!" + std::string(type) + " is not supported");
      return value(text);
    }
    if (tag == "!vault") {
      diags.error(doc.at(n), "vaulted strings (!vault) are not supported yet");
      return value(text);
    }
    diags.error(doc.at(n), "unknown YAML tag '" + tag +
                               "' (supported: !!str, !!int, !!float, !!bool, !!null)");
    return value(text);
  }

  value render(const YAML::Node& n, value v) {
    if (!opts.vars) return v;
    const std::string& text = v.get_ref<const std::string&>();
    if (!needs_rendering(text)) return v;
    auto r = render_template(text, *opts.vars);
    if (auto* err = std::get_if<render_error>(&r)) {
      const scalar_location loc = doc.locate_scalar(n);
      position pos = loc.content_pos;
      // Point inside the text only when its columns are the file's columns.
      if (loc.single_line) pos.column += static_cast<int>(err->offset);
      std::string msg = err->message;
      if (!opts.template_context.empty()) msg = std::string(opts.template_context) + ": " + msg;
      diags.error(pos, msg);
      return v;
    }
    return std::get<value>(std::move(r));
  }

  // PyYAML's `<<: *anchor` (or a list of anchors): keys already present win.
  void merge_into(value& obj, const YAML::Node& src, int depth) {
    if (src.IsMap()) {
      value m = convert(src, depth + 1);
      for (auto& [k, v] : m.items()) {
        if (!obj.contains(k)) obj[k] = v;
      }
    } else if (src.IsSequence()) {
      for (const auto& item : src) merge_into(obj, item, depth);
    } else {
      diags.error(doc.at(src), "a '<<' merge key expects a mapping or a list of mappings, found " +
                                   describe(src));
    }
  }

  value convert(const YAML::Node& n, int depth = 0) {
    if (too_large) return value(nullptr);
    if (++produced > max_values) {
      too_large = true;
      diags.error(doc.at(n), "the document expands to more than " + std::to_string(max_values) +
                                 " values (alias expansion?)");
      return value(nullptr);
    }
    switch (n.Type()) {
      case YAML::NodeType::Scalar:
        return scalar(n);
      case YAML::NodeType::Sequence: {
        value out = value::array();
        for (const auto& item : n) out.push_back(convert(item, depth + 1));
        return out;
      }
      case YAML::NodeType::Map: {
        value out = value::object();
        std::vector<YAML::Node> merges;
        for (const auto& kv : n) {
          const YAML::Node k = kv.first;
          if (!k.IsScalar()) {
            diags.error(doc.at(k), "a mapping key must be a scalar, found " + describe(k));
            continue;
          }
          if (is_plain(k) && k.Scalar() == "<<") {
            merges.push_back(kv.second);
            continue;
          }
          // Keys are not templated: ansible-rulebook renders values only.
          std::string key = k.Scalar();
          if (is_plain(k)) {
            // JSON keys are strings; a YAML key `1` or `true` becomes its Python str().
            key = python_str(resolve_plain_scalar(key));
          }
          if (out.contains(key)) {
            diags.error(doc.at(k), "duplicate key " + quote(key));
          }
          out[key] = convert(kv.second, depth + 1);
        }
        for (const auto& m : merges) merge_into(out, m, depth);
        return out;
      }
      default:
        return value(nullptr);
    }
  }
};

}  // namespace

yaml_document::yaml_document(std::string file, std::string text)
    : file_(std::move(file)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

namespace {

// Walks the event stream only to learn where a second document would start, then stops.
// yaml-cpp 0.7 ends the first document silently at some syntax errors (a stray ',' at column 0)
// and its LoadAll() then loops forever on the rest; stopping at the second document's start
// avoids the loop and lets us report the error PyYAML would.
class document_scanner : public YAML::EventHandler {
 public:
  struct second_document {
    YAML::Mark mark;
  };
  struct runaway {
    YAML::Mark mark;
  };
  struct unterminated {
    YAML::Mark mark;
  };

  explicit document_scanner(const std::string& text) : text_(text), budget_(text.size() + 16) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) throw second_document{mark};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { count(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { count(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    count(m);
    // yaml-cpp accepts a quoted scalar that runs to the end of the file; PyYAML does not.
    if (!quote_closed(m)) throw unterminated{m};
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    count(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    count(m);
  }
  void OnMapEnd() override {}

 private:
  // Every event consumes input, so more events than bytes means the parser is stuck.
  void count(const YAML::Mark& m) {
    if (++events_ > budget_) throw runaway{m};
  }

  bool quote_closed(const YAML::Mark& m) const {
    if (m.pos < 0) return true;
    std::size_t i = static_cast<std::size_t>(m.pos);
    const std::size_t n = text_.size();
    while (i < n && (text_[i] == '&' || text_[i] == '!')) {  // anchor or tag before the scalar
      while (i < n && !std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      while (i < n && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
    }
    if (i >= n || (text_[i] != '"' && text_[i] != '\'')) return true;
    const char q = text_[i++];
    while (i < n) {
      if (q == '"' && text_[i] == '\\') {
        i += 2;
      } else if (text_[i] == q) {
        if (q == '\'' && i + 1 < n && text_[i + 1] == '\'') {
          i += 2;  // '' is an escaped quote inside a single-quoted scalar
        } else {
          return true;
        }
      } else {
        ++i;
      }
    }
    return false;
  }

  const std::string& text_;
  std::size_t budget_;
  std::size_t events_ = 0;
  int documents_ = 0;
};

// Offset of the first byte that is not valid UTF-8, or npos.
std::size_t invalid_utf8_at(const std::string& s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > n || (len == 2 && c < 0xC2)) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    if (len == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return i;  // overlong, surrogate
    }
    if (len == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return i;
    }
    i += len;
  }
  return std::string::npos;
}

}  // namespace

std::optional<YAML::Node> yaml_document::parse(diagnostics& diags) const {
  // Strings end up in JSON values, which must be valid UTF-8 (PyYAML rejects such files too).
  if (const std::size_t bad = invalid_utf8_at(text_); bad != std::string::npos) {
    diags.error(at_offset(bad), "the file is not valid UTF-8 (bad byte here)");
    return std::nullopt;
  }
  try {
    {
      std::istringstream in(text_);
      YAML::Parser parser(in);
      document_scanner scanner(text_);
      try {
        while (parser.HandleNextDocument(scanner)) {
        }
      } catch (const document_scanner::second_document& d) {
        const std::size_t p = d.mark.pos < 0 ? 0 : static_cast<std::size_t>(d.mark.pos);
        // A real second document starts with '---' or a directive, or follows a '...' end marker.
        std::size_t before = std::min(p, text_.size());
        while (before > 0 && std::isspace(static_cast<unsigned char>(text_[before - 1]))) --before;
        const bool after_end_marker = before >= 3 && text_.compare(before - 3, 3, "...") == 0;
        if (text_.compare(p, 3, "---") == 0 || (p < text_.size() && text_[p] == '%') ||
            after_end_marker) {
          diags.error(at(d.mark),
                      "expected a single YAML document, found another one here "
                      "(remove the extra '---')");
        } else if (auto hint = explain_yaml_error(text_, d.mark.line, d.mark.column)) {
          diags.error(at_line_column(hint->line, hint->column),
                      "YAML syntax error: " + hint->message);
        } else {
          const std::string found = p < text_.size() ? std::string(1, text_[p]) : "end of file";
          diags.error(at(d.mark), "YAML syntax error: unexpected " + quote(found) +
                                      " (wrong indentation or a stray character?)");
        }
        return std::nullopt;
      } catch (const document_scanner::unterminated& u) {
        diags.error(at(u.mark),
                    "YAML syntax error: this quoted string is never closed "
                    "(no matching quote before the end of the file)");
        return std::nullopt;
      } catch (const document_scanner::runaway& r) {
        diags.error(at(r.mark), "YAML syntax error: the parser made no progress here");
        return std::nullopt;
      }
    }
    // The scan proved there is at most one well-formed document; now build it.
    YAML::Node root = YAML::Load(text_);
    if (!root.IsDefined()) return YAML::Node(YAML::NodeType::Null);
    return root;
  } catch (const YAML::ParserException& e) {
    // yaml-cpp's words ("end of map not found") rarely tell an indentation slip; say what it is.
    std::optional<yaml_hint> hint;
    if (!e.mark.is_null()) hint = explain_yaml_error(text_, e.mark.line, e.mark.column);
    if (hint) {
      diags.error(at_line_column(hint->line, hint->column),
                  "YAML syntax error: " + hint->message + " (yaml-cpp: " + e.msg + ")");
    } else {
      diags.error(e.mark.is_null() ? file_start() : at(e.mark), "YAML syntax error: " + e.msg);
    }
  } catch (const YAML::Exception& e) {
    diags.error(file_start(), std::string("YAML error: ") + e.what());
  }
  return std::nullopt;
}

position yaml_document::at(const YAML::Mark& m) const {
  if (m.is_null() || m.line < 0) return file_start();
  return {file_, m.line + 1, m.column + 1};
}

position yaml_document::at_line_column(int line, int column) const {
  return {file_, line + 1, column + 1};
}

position yaml_document::at_offset(std::size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const std::size_t line = static_cast<std::size_t>(it - line_starts_.begin());  // 1-based
  return {file_, static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1] + 1)};
}

position yaml_document::value_at(const YAML::Node& v, const YAML::Node& key) const {
  if (v.IsNull()) {
    const YAML::Mark m = v.Mark();
    if (m.is_null() || m.pos < 0 || static_cast<std::size_t>(m.pos) >= text_.size()) return at(key);
    const char c = text_[static_cast<std::size_t>(m.pos)];
    // An explicit `~` or `null` is where the mark says; an empty value is not.
    if (c != '~' && c != 'n' && c != 'N') return at(key);
  }
  return at(v);
}

scalar_location yaml_document::locate_scalar(const YAML::Node& n) const {
  scalar_location loc;
  loc.content_pos = at(n);
  const YAML::Mark m = n.Mark();
  if (m.is_null() || m.pos < 0) {
    loc.single_line = false;
    return loc;
  }
  std::size_t p = static_cast<std::size_t>(m.pos);
  const std::size_t size = text_.size();
  // Skip an anchor (&a) and a tag (!t) written before the scalar itself.
  while (p < size && (text_[p] == '&' || text_[p] == '!')) {
    while (p < size && !is_space(text_[p]) && text_[p] != '\n' && text_[p] != '\r') ++p;
    while (p < size && (is_space(text_[p]) || text_[p] == '\n' || text_[p] == '\r')) ++p;
  }
  if (p >= size) {
    loc.single_line = false;
    return loc;
  }
  const std::string& scalar = n.Scalar();
  const char c = text_[p];
  if (c == '|' || c == '>') {
    loc.style = c == '|' ? scalar_style::literal : scalar_style::folded;
    loc.single_line = false;
    // Content starts on the first non-blank line after the header line.
    std::size_t q = text_.find('\n', p);
    while (q != std::string::npos && q + 1 < size) {
      std::size_t line = q + 1;
      std::size_t r = line;
      while (r < size && is_space(text_[r])) ++r;
      if (r < size && text_[r] != '\n' && text_[r] != '\r') {
        loc.content_pos = at_offset(r);
        return loc;
      }
      q = text_.find('\n', line);
    }
    return loc;
  }
  std::size_t start = p;
  if (c == '"' || c == '\'') {
    loc.style = c == '"' ? scalar_style::double_quoted : scalar_style::single_quoted;
    start = p + 1;
  }
  loc.content_pos = at_offset(start);
  // Columns inside the text map onto the file only when the raw characters are the text itself:
  // no escapes, no folded line breaks.
  loc.single_line =
      text_.compare(start, scalar.size(), scalar) == 0 && scalar.find('\n') == std::string::npos;
  if (loc.single_line && loc.style != scalar_style::plain) {
    const std::size_t end = start + scalar.size();
    loc.single_line = end < size && text_[end] == c;
  }
  return loc;
}

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      if (is_plain(n)) return describe(resolve_plain_scalar(n.Scalar()));
      if (n.Tag().rfind(tag_prefix, 0) == 0) {
        // An explicit !!int 5 describes as what it will become.
        const std::string_view type = std::string_view(n.Tag()).substr(tag_prefix.size());
        if (type == "int" && resolve_int(n.Scalar())) return "an integer";
        if (type == "float" && resolve_float(n.Scalar())) return "a float";
        if (type == "bool" && resolve_bool(n.Scalar())) return "a boolean";
        if (type == "null" && is_null_scalar(n.Scalar())) return "null";
      }
      return "a string";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "null";
  }
  return "null";
}

std::string describe(const value& v) {
  switch (v.type()) {
    case value::value_t::object:
      return "a mapping";
    case value::value_t::array:
      return "a list";
    case value::value_t::string:
      return "a string";
    case value::value_t::boolean:
      return "a boolean";
    case value::value_t::number_integer:
    case value::value_t::number_unsigned:
      return "an integer";
    case value::value_t::number_float:
      return "a float";
    default:
      return "null";
  }
}

value to_value(const YAML::Node& n, const yaml_document& doc, diagnostics& diags,
               const to_value_options& opts) {
  converter c{doc, diags, opts};
  return c.convert(n);
}

}  // namespace rb::rulebook
