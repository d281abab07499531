#include "ui/model.hpp"

#include <sstream>

namespace sockstep::ui {

const Step* Model::current_step() const {
  const int index = current_index();
  if (lesson == nullptr || index < 0 || static_cast<std::size_t>(index) >= lesson->steps.size()) {
    return nullptr;
  }
  return &lesson->steps[static_cast<std::size_t>(index)];
}

const Step* Model::next_step() const {
  if (lesson == nullptr || snap->position >= lesson->steps.size()) return nullptr;
  return &lesson->steps[snap->position];
}

const Predict* Model::shown_question() const {
  const Step* next = next_step();
  if (next == nullptr || !next->predict || state->playing) return nullptr;
  return &*next->predict;
}

namespace {

// The key a send step keeps its data under; lessons may say data or message.
const std::string* literal_data(const Step& step) {
  for (const char* key : {"data", "message", "bytes", "text"}) {
    auto it = step.args.find(key);
    if (it != step.args.end()) {
      if (const auto* s = std::get_if<std::string>(&it->second)) return s;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<std::size_t> editable_send_step(const Lesson& lesson) {
  for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
    const Step& step = lesson.steps[i];
    if ((step.call == "send" || step.call == "sendall") && literal_data(step) != nullptr) {
      return i;
    }
  }
  return std::nullopt;
}

std::string lesson_message(const Lesson& lesson) {
  if (auto index = editable_send_step(lesson)) {
    if (const std::string* data = literal_data(lesson.steps[*index])) return *data;
  }
  return {};
}

std::string call_text(const Step& step) {
  std::ostringstream out;
  out << step.call << "(";
  bool first = true;
  for (const auto& [key, value] : step.args) {
    if (!first) out << ", ";
    first = false;
    out << key << "=";
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string>) {
            out << v;
          } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
            out << "[";
            for (std::size_t i = 0; i < v.size(); ++i) out << (i > 0 ? ", " : "") << v[i];
            out << "]";
          } else if constexpr (std::is_same_v<V, bool>) {
            out << (v ? "True" : "False");
          } else {
            out << v;
          }
        },
        value);
  }
  out << ")";
  return out.str();
}

}  // namespace sockstep::ui
