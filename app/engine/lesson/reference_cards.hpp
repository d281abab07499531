#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/lesson/lesson.hpp"

namespace sockstep {

struct CardError {
  std::string name;  // "ECONNREFUSED"
  Text python;       // what Python raises: "ConnectionRefusedError"
  Text meaning;
};

// What a learner needs beside a step: the call in C and in Python, whether it can
// wait, and the errors it commonly returns with what they mean.
struct ReferenceCard {
  std::string call;         // the step's call name: "connect_ex"
  std::string c_signature;  // "int connect(int fd, const struct sockaddr *addr, socklen_t len);"
  std::string python;       // "err = s.connect_ex((host, port))"
  Text summary;
  Text blocks;              // does it wait, and for what
  std::vector<CardError> errors;
};

// Reads a card file (lessons/reference/cards.toml); throws LessonError with file:line:col.
[[nodiscard]] std::vector<ReferenceCard> load_reference_cards(const std::string& path);
// The card file in the first lesson folder that has one; empty if none.
[[nodiscard]] std::string reference_cards_path();
// The card for a call, read from reference_cards_path(); nullopt if there is none.
[[nodiscard]] std::optional<ReferenceCard> reference_card(const std::string& call);
[[nodiscard]] const ReferenceCard* find_card(const std::vector<ReferenceCard>& cards, const std::string& call);

}  // namespace sockstep
