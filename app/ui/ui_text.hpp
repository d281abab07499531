#pragma once
#include <cstddef>

#include "engine/lesson.hpp"

namespace sockstep::ui {

// Every string the interface itself shows, in both languages. Lesson text comes from
// the lesson file; this table is the rest.
enum class Tx : std::size_t {
  AppName,
  MenuLesson,
  MenuView,
  MenuLanguage,
  MenuHelp,
  Quit,
  PanelLesson,
  PanelSteps,
  PanelCode,
  PanelSockets,
  PanelSequence,
  PanelBytes,
  PanelConsole,
  PanelEventLog,
  Next,
  Back,
  Reset,
  Play,
  Pause,
  Speed,
  SecondsPerStep,
  StepOf,
  NotStarted,
  PressNext,
  Finished,
  NextUp,
  Actor,
  Call,
  BlockedIn,
  WaitsForPeer,
  Message,
  MessageHint,
  MessageReplay,
  RunUntil,
  RunUntilCall,
  RunUntilState,
  Run,
  Filter,
  FilterHint,
  Follow,
  NoSockets,
  Closed,
  ClosedAt,
  NoFd,
  TimeLeft,
  RecvQueue,
  SendQueue,
  AcceptQueue,
  Local,
  Peer,
  State,
  LastError,
  SelectBytes,
  StreamTitle,
  StreamLegend,
  NoBytesYet,
  Capped,
  NothingPrinted,
  Events,
  ZoomIn,
  ZoomOut,
  ZoomReset,
  LightTheme,
  HelpTitle,
  HelpKeys,
  HelpClose,
  NoCjkFont,
  ChecksFailed,
  ChecksOk,
  Result,
  Step,
  Time,
  Bytes,
  Handshake,
  Fin,
  Waiting,
  Now,
  NextMarker,
  Listener,
  Python,
  CCode,
  OpenLessonFailed,
  Count
};

[[nodiscard]] const char* tx(Tx id, Lang lang);

// Every interface string of both languages, concatenated: the font loader builds its
// glyph list from this, so a string added here can never render as boxes.
[[nodiscard]] std::size_t tx_count();
[[nodiscard]] const char* tx_at(std::size_t index, Lang lang);

}  // namespace sockstep::ui
