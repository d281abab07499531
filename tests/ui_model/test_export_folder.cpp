// File > Export's proposed folder name: what a shell can take without quoting.
#include <doctest/doctest.h>

#include "ui/export_folder.hpp"

using sockstep::ui::export_folder_name;

TEST_CASE("an export folder is named after the session with what a shell takes unquoted") {
  CHECK(export_folder_name("echo-tcp") == "echo-tcp");
  CHECK(export_folder_name("serve") == "serve");
  // A traced program's command line, as trace's recording is titled.
  const std::string traced = "trace python3 -c \nimport socket\na=socket.socket(); a.bind((\"127.0.0.1\",0))";
  const std::string name = export_folder_name(traced);
  CHECK(name.rfind("trace-python3-c-import-socket-a-socket", 0) == 0);
  CHECK(name.size() <= 40);
  CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
        std::string::npos);
  CHECK(name.back() != '-');
  CHECK(export_folder_name("../..") == "session");
  CHECK(export_folder_name("..hidden") == "hidden");
  CHECK(export_folder_name("回声") == "session");
  CHECK(export_folder_name("") == "session");
}
