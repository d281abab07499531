#include "engine/log/event.hpp"

namespace sockstep {

const char* event_kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::Call: return "call";
    case EventKind::Blocked: return "blocked";
    case EventKind::Print: return "print";
    case EventKind::Note: return "note";
    case EventKind::Packet: return "packet";
  }
  return "?";
}

const char* note_kind_name(NoteKind kind) {
  switch (kind) {
    case NoteKind::Info: return "info";
    case NoteKind::Warning: return "warning";
    case NoteKind::Error: return "error";
    case NoteKind::Hello: return "hello";
    case NoteKind::Exit: return "exit";
    case NoteKind::Match: return "match";
    case NoteKind::ListenFull: return "listen_full";
  }
  return "?";
}

const char* wire_effect_name(WireEffect effect) {
  switch (effect) {
    case WireEffect::None: return "";
    case WireEffect::Syn: return "SYN";
    case WireEffect::Fin: return "FIN";
    case WireEffect::Rst: return "RST";
  }
  return "";
}

const char* packet_kind_name(PacketKind kind) {
  switch (kind) {
    case PacketKind::Syn: return "SYN";
    case PacketKind::SynAck: return "SYN-ACK";
    case PacketKind::Ack: return "ACK";
    case PacketKind::Psh: return "PSH";
    case PacketKind::Fin: return "FIN";
    case PacketKind::Rst: return "RST";
    case PacketKind::Udp: return "UDP";
  }
  return "?";
}

}  // namespace sockstep
