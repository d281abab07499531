#include "engine/live/reverse_names.hpp"

#include <netdb.h>

#include "engine/log/address.hpp"

namespace sockstep {

std::string reverse_name(const std::string& host) {
  const auto addr = to_sockaddr(Address{host.find(':') != std::string::npos ? AF_INET6 : AF_INET, host, 0, {}});
  if (!addr) return {};
  char name[NI_MAXHOST];
  // NI_NAMEREQD: an address without a name is an error, not its own digits back.
  if (::getnameinfo(addr->get(), addr->length, name, sizeof name, nullptr, 0, NI_NAMEREQD) != 0) return {};
  return name;
}

ReverseNames::ReverseNames(std::function<void()> on_answer, std::size_t max_kept)
    : on_answer_(std::move(on_answer)), max_kept_(max_kept) {}

ReverseNames::~ReverseNames() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ReverseNames::Answer ReverseNames::lookup(const std::string& host) {
  std::lock_guard lock(mutex_);
  if (const auto it = answers_.find(host); it != answers_.end()) return it->second;
  if (answers_.size() >= max_kept_) return Answer{Status::Unnamed, {}};
  answers_[host] = Answer{};
  queue_.push_back(host);
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  wake_.notify_one();
  return Answer{};
}

void ReverseNames::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const std::string host = queue_.front();
    queue_.pop_front();
    lock.unlock();
    std::string name = reverse_name(host);
    lock.lock();
    answers_[host] = name.empty() ? Answer{Status::Unnamed, {}} : Answer{Status::Named, std::move(name)};
    if (on_answer_) {
      lock.unlock();
      on_answer_();
      lock.lock();
    }
  }
}

}  // namespace sockstep
