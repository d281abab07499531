#pragma once
// An ImGui context that draws with no window and no GL, for a display of this size, one
// 60 Hz frame at a time and with no settings file: what the panel tests draw into.
#include <imgui.h>

namespace sockstep::test {

inline ImGuiIO& headless_context(ImVec2 display) {
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = display;
  io.DeltaTime = 1.0f / 60.0f;
  return io;
}

}  // namespace sockstep::test
