// Replays fuzzer inputs through the fuzz entry point without libFuzzer: each
// argument is a file or a folder of files. Any other exception than LessonError
// escapes and fails the test; a crash fails it too (and is named by the sanitizer
// in the asan build). Prints how many inputs it ran.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    if (fs::is_directory(arg)) {
      for (const auto& entry : fs::recursive_directory_iterator(arg))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "replay_corpus: no inputs\n");
    return 1;
  }
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "replay_corpus: %s: escaped: %s\n", file.c_str(), e.what());
      return 1;
    } catch (...) {
      std::fprintf(stderr, "replay_corpus: %s: escaped: a non-standard exception\n", file.c_str());
      return 1;
    }
  }
  std::printf("replay_corpus: %zu inputs, none crashed\n", files.size());
  return 0;
}
