#pragma once
// A lane's header when the lanes are too close for their names (the backlog lesson's ten
// clients): "client-7" becomes "c7", "echo_server.py[4242]" loses its pid, then its tail,
// so that no header runs into the next. The full name stays in the header's tooltip.
#include <functional>
#include <string>
#include <string_view>

namespace sockstep::ui {

// The longest form of name that measures at most room (width() measures text): the name,
// the name without "[pid]" or "[pid/tid]", else "c7" for "client-7" (even if it is a
// little wider), else its first characters and "…". Never empty.
[[nodiscard]] std::string lane_label(const std::string& name, float room,
                                     const std::function<float(std::string_view)>& width);

}  // namespace sockstep::ui
