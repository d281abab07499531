#include "ui/actor_hue.hpp"

namespace sockstep::ui {

ActorHue actor_hue(const std::string& name) {
  if (name == "server") return ActorHue::Server;
  if (name == "client") return ActorHue::Client;
  if (name.rfind("client", 0) == 0) return ActorHue::Third;
  // Traced programs ("echo_server.py[4242]"): their name says their role, mostly.
  if (name.find("serv") != std::string::npos) return ActorHue::Server;
  if (name.find("client") != std::string::npos) return ActorHue::Client;
  std::size_t hash = 0;
  for (char c : name) hash = hash * 31 + static_cast<unsigned char>(c);
  return hash % 2 == 0 ? ActorHue::Third : ActorHue::Fourth;
}

}  // namespace sockstep::ui
