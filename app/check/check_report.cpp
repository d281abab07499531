#include "check/check_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sockstep::check {

namespace {

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 has no control characters but tab and the line ends.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += '?';
        else out += c;
    }
  }
  return out;
}

// Evidence quotes the program's bytes, which need not be UTF-8: XML must be.
std::string valid_utf8(const std::string& text) {
  const std::string quoted = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

}  // namespace

std::string verdict_text(const Verdict& v, Lang lang) {
  const bool zh = lang == Lang::Zh;
  std::string out = fmt::format("  {} {:<20} {}  ({:.1f} s)\n", v.passed ? "✓" : "✗", v.id, v.title.get(lang), v.seconds);
  if (v.passed) return out;
  out += fmt::format("      {} {}\n", zh ? "原因:" : "why:", v.why.get(lang));
  for (const auto& line : v.evidence) out += fmt::format("      {} {}\n", zh ? "依据:" : "seen:", line);
  out += fmt::format("      {} sockstep walk {}\n", zh ? "课程:" : "lesson:", v.lesson);
  return out;
}

std::string summary_text(const std::vector<Verdict>& verdicts, Lang lang) {
  std::size_t passed = 0;
  for (const auto& v : verdicts) passed += v.passed ? 1 : 0;
  if (lang == Lang::Zh) return fmt::format("{} 项检查中通过了 {} 项。", verdicts.size(), passed);
  return fmt::format("{} of {} checks passed.", passed, verdicts.size());
}

std::string verdict_json(const Verdict& v, Lang lang) {
  nlohmann::json j;
  j["check"] = v.id;
  j["role"] = role_name(v.role);
  j["passed"] = v.passed;
  j["lesson"] = v.lesson;
  j["title"] = v.title.get(lang);
  j["why"] = v.passed ? std::string() : v.why.get(lang);
  j["evidence"] = v.evidence;
  j["seconds"] = static_cast<double>(static_cast<long long>(v.seconds * 1000)) / 1000.0;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string junit_xml(const std::vector<Verdict>& verdicts, const std::string& command, Lang lang) {
  std::size_t failures = 0;
  double seconds = 0;
  for (const auto& v : verdicts) {
    failures += v.passed ? 0 : 1;
    seconds += v.seconds;
  }
  const std::string role = verdicts.empty() ? "server" : role_name(verdicts.front().role);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n", verdicts.size(), failures, seconds);
  out += fmt::format("  <testsuite name=\"sockstep check {}: {}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3f}\">\n",
                     role, xml_escaped(valid_utf8(command)), verdicts.size(), failures, seconds);
  for (const auto& v : verdicts) {
    out += fmt::format("    <testcase classname=\"sockstep.{}\" name=\"{}\" time=\"{:.3f}\"", role_name(v.role),
                       xml_escaped(v.id), v.seconds);
    if (v.passed) {
      out += "/>\n";
      continue;
    }
    std::string body;
    for (const auto& line : v.evidence) body += valid_utf8(line) + "\n";
    body += "lesson: sockstep walk " + v.lesson + "\n";
    out += fmt::format(">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                       xml_escaped(valid_utf8(v.why.get(lang))), xml_escaped(v.lesson), xml_escaped(body));
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace sockstep::check
