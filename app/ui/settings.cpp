#include "ui/settings.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace sockstep::ui {
namespace {

// Which panels are shown, by each panel's id ({"lesson": true, ...}); a list of flags in
// the panels' order, as files written before the ids were, reads too.
void read_panels(const nlohmann::json& j, const char* key, PanelFlags& out) {
  if (!j.contains(key)) return;
  const auto& values = j[key];
  if (values.is_object()) {
    for (const PanelSpec& spec : kPanels) {
      const auto it = values.find(spec.id);
      if (it != values.end() && it->is_boolean()) out[static_cast<std::size_t>(spec.panel)] = it->get<bool>();
    }
  } else if (values.is_array()) {
    for (std::size_t i = 0; i < out.size() && i < values.size(); ++i)
      if (values[i].is_boolean()) out[i] = values[i].get<bool>();
  }
}

nlohmann::json panels_json(const PanelFlags& flags) {
  nlohmann::json j = nlohmann::json::object();
  for (const PanelSpec& spec : kPanels) j[spec.id] = flags[static_cast<std::size_t>(spec.panel)];
  return j;
}

// A weight that is not a positive number (a hand-edited file) keeps its default.
void read_weights(const nlohmann::json& j, const char* key, LayoutWeights& out) {
  if (!j.contains(key) || !j[key].is_array()) return;
  const auto& values = j[key];
  for (std::size_t i = 0; i < out.size() && i < values.size(); ++i) {
    if (values[i].is_number() && values[i].get<float>() > 0.0f && values[i].get<float>() < 100.0f) {
      out[i] = values[i].get<float>();
    }
  }
}

}  // namespace

std::string settings_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/sockstep/settings.json";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return std::string(home) + "/.config/sockstep/settings.json";
  return {};
}

Settings load_settings(const std::string& path, std::string* error) {
  Settings settings;
  if (path.empty()) return settings;
  std::ifstream in(path);
  if (!in) return settings;
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    settings.lang = j.value("lang", settings.lang);
    settings.zoom = j.value("zoom", settings.zoom);
    settings.light = j.value("light", settings.light);
    settings.lesson = j.value("lesson", settings.lesson);
    settings.step = j.value("step", settings.step);
    settings.width = j.value("width", settings.width);
    settings.height = j.value("height", settings.height);
    read_panels(j, "panels", settings.visible);
    read_panels(j, "present_panels", settings.present_visible);
    read_weights(j, "splits", settings.weights);
    read_weights(j, "present_splits", settings.present_weights);
    settings.present = j.value("present", settings.present);
    settings.present_zoom = j.value("present_zoom", settings.present_zoom);
  } catch (const std::exception& e) {
    if (error != nullptr) *error = path + ": " + e.what() + " (using defaults)";
    return Settings{};
  }
  return settings;
}

bool save_settings(const std::string& path, const Settings& settings, std::string* error) {
  if (path.empty()) return false;
  nlohmann::json j;
  j["lang"] = settings.lang;
  j["zoom"] = settings.zoom;
  j["light"] = settings.light;
  j["lesson"] = settings.lesson;
  j["step"] = settings.step;
  j["width"] = settings.width;
  j["height"] = settings.height;
  j["panels"] = panels_json(settings.visible);
  j["splits"] = settings.weights;
  j["present"] = settings.present;
  j["present_zoom"] = settings.present_zoom;
  j["present_panels"] = panels_json(settings.present_visible);
  j["present_splits"] = settings.present_weights;
  std::error_code ec;
  const std::filesystem::path target(path);
  std::filesystem::create_directories(target.parent_path(), ec);
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) {
      if (error != nullptr) *error = "cannot write " + temp;
      return false;
    }
  }
  std::filesystem::rename(temp, target, ec);
  if (ec) {
    if (error != nullptr) *error = "cannot write " + path + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace sockstep::ui
