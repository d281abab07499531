#include "ui/settings.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace sockstep::ui {

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
    if (j.contains("panels") && j["panels"].is_array()) {
      const auto& panels = j["panels"];
      for (std::size_t i = 0; i < kPanelCount && i < panels.size(); ++i) {
        if (panels[i].is_boolean()) settings.visible[i] = panels[i].get<bool>();
      }
    }
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
  j["panels"] = settings.visible;
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
