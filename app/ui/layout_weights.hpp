#pragma once
#include <array>
#include <cstddef>

namespace sockstep::ui {

// How the rows and columns of the tiling share the window out (see layout.hpp), as
// the splitters left them: the left and right columns; lesson and steps; the right
// column's top band, sockets and bottom band; code and sequence; bytes, console, log.
inline constexpr std::size_t kWeightCount = 12;
using LayoutWeights = std::array<float, kWeightCount>;
[[nodiscard]] LayoutWeights default_weights(bool present);

}  // namespace sockstep::ui
