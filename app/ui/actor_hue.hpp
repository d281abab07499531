#pragma once
// Which of the four actor colours a lane is drawn in, told by its name: the window's
// palette and the exported diagrams colour the same lane the same way.
#include <string>

namespace sockstep::ui {

enum class ActorHue { Server, Client, Third, Fourth };

[[nodiscard]] ActorHue actor_hue(const std::string& name);

}  // namespace sockstep::ui
