#include "ui/actor_hue.hpp"

namespace sockstep::ui {

std::size_t actor_hue(const std::string& name) {
  const auto nth_client = [](std::size_t n) { return 1 + (n + kActorColours - 2) % (kActorColours - 1); };
  if (name == "server") return 0;
  if (name == "client") return 1;
  // client-7 shares client-1's colour: far apart in the diagram.
  if (name.rfind("client-", 0) == 0) {
    std::size_t n = 0;
    for (std::size_t i = 7; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i)
      n = n * 10 + static_cast<std::size_t>(name[i] - '0');
    if (n > 0) return nth_client(n);
  }
  // Traced programs ("echo_server.py[4242]"): their name says their role, mostly.
  if (name.find("serv") != std::string::npos) return 0;
  if (name.find("client") != std::string::npos) return 1;
  std::size_t hash = 0;
  for (char c : name) hash = hash * 31 + static_cast<unsigned char>(c);
  return 2 + hash % (kActorColours - 2);
}

}  // namespace sockstep::ui
