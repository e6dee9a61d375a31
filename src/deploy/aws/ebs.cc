#include "deploy/aws/ebs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mayfly::aws {
namespace {

constexpr uint64_t kGiB = 1024ull * 1024 * 1024;

class ImageFile {
 public:
  explicit ImageFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd_, &info) != 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    size_ = static_cast<uint64_t>(info.st_size);
    path_ = path;
  }
  ~ImageFile() { ::close(fd_); }
  uint64_t size() const { return size_; }

  // Block `index`, zero-padded to the block size.
  std::string read_block(uint64_t index) const {
    std::string block(kEbsBlockSize, '\0');
    uint64_t offset = index * kEbsBlockSize;
    size_t wanted = static_cast<size_t>(std::min<uint64_t>(kEbsBlockSize, size_ - offset));
    size_t done = 0;
    while (done < wanted) {
      ssize_t n =
          ::pread(fd_, block.data() + done, wanted - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        throw std::runtime_error(path_ + ": read failed at byte " + std::to_string(offset + done));
      done += static_cast<size_t>(n);
    }
    return block;
  }

 private:
  int fd_;
  uint64_t size_ = 0;
  std::string path_;
};

bool all_zero(const std::string& block) {
  return std::all_of(block.begin(), block.end(), [](char c) { return c == 0; });
}

void put_block(AwsClient& client, const std::string& snapshot_id, uint64_t index,
               const std::string& block, const std::string& digest) {
  ServiceRequest request;
  request.method = "PUT";
  request.path =
      "/snapshots/" + uri_encode(snapshot_id, false) + "/blocks/" + std::to_string(index);
  request.headers = {{"Content-Type", "application/octet-stream"},
                     {"x-amz-Data-Length", std::to_string(block.size())},
                     {"x-amz-Checksum", base64_encode(digest)},
                     {"x-amz-Checksum-Algorithm", "SHA256"}};
  request.body = block;
  request.unsigned_payload = true;
  // A snapshot that was just started may not be visible to the block API for a moment.
  for (int tries = 1;; ++tries) {
    try {
      client.call(request);
      return;
    } catch (const AwsError& error) {
      if (error.code() != "ResourceNotFoundException" || tries >= 10) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * tries));
    }
  }
}

}  // namespace

std::string aggregate_checksum(const std::vector<std::string>& raw_block_digests) {
  std::string joined;
  for (const auto& digest : raw_block_digests) joined += digest;
  return base64_encode(sha256_raw(joined));
}

SnapshotResult upload_snapshot(const Settings& settings, const ClientOptions& ebs_options,
                               const SnapshotUpload& upload) {
  ImageFile image(upload.image_path);
  if (image.size() == 0) throw std::runtime_error(upload.image_path + ": the image is empty");
  SnapshotResult result;
  result.volume_size_gib = std::max<uint64_t>(1, (image.size() + kGiB - 1) / kGiB);

  // Which blocks hold data: read once up front so the progress total is known.
  const uint64_t block_count = (image.size() + kEbsBlockSize - 1) / kEbsBlockSize;
  std::vector<uint64_t> data_blocks;
  for (uint64_t index = 0; index < block_count; ++index) {
    if (!all_zero(image.read_block(index))) data_blocks.push_back(index);
  }
  result.blocks_skipped = block_count - data_blocks.size();

  AwsClient client(settings, "ebs", ebs_options);
  nlohmann::json start = {{"VolumeSize", result.volume_size_gib}, {"Timeout", 60}};
  if (!upload.description.empty()) start["Description"] = upload.description;
  if (!upload.client_token.empty()) start["ClientToken"] = upload.client_token;
  if (!upload.tags.empty()) {
    start["Tags"] = nlohmann::json::array();
    for (const auto& [key, value] : upload.tags) {
      start["Tags"].push_back({{"Key", key}, {"Value", value}});
    }
  }
  ServiceRequest start_request;
  start_request.method = "POST";
  start_request.path = "/snapshots";
  start_request.headers = {{"Content-Type", "application/json"}};
  start_request.body = start.dump();
  auto started = nlohmann::json::parse(client.call(start_request).body, nullptr, false);
  if (!started.is_object() || !started.contains("SnapshotId") ||
      !started["SnapshotId"].is_string()) {
    throw AwsError("MalformedResponse", "StartSnapshot returned no SnapshotId", "", 0);
  }
  result.snapshot_id = started["SnapshotId"];
  if (started.contains("BlockSize") && started["BlockSize"] != kEbsBlockSize) {
    throw AwsError("UnexpectedBlockSize",
                   "StartSnapshot answered a block size of " + started["BlockSize"].dump(), "", 0);
  }

  std::vector<std::string> digests(data_blocks.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex lock;
  uint64_t sent = 0;
  auto worker = [&] {
    try {
      AwsClient worker_client(settings, "ebs", ebs_options);
      for (size_t i = next++; i < data_blocks.size() && !failed; i = next++) {
        std::string block = image.read_block(data_blocks[i]);
        digests[i] = sha256_raw(block);
        put_block(worker_client, result.snapshot_id, data_blocks[i], block, digests[i]);
        std::lock_guard guard(lock);
        ++sent;
        if (upload.progress) upload.progress(sent, data_blocks.size());
      }
    } catch (...) {
      std::lock_guard guard(lock);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  int workers = std::clamp<int>(upload.workers, 1, 64);
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) threads.emplace_back(worker);
  for (auto& thread : threads) thread.join();
  if (first_error) std::rethrow_exception(first_error);
  result.blocks_sent = sent;

  ServiceRequest complete;
  complete.method = "POST";
  complete.path = "/snapshots/completion/" + uri_encode(result.snapshot_id, false);
  complete.headers = {{"x-amz-ChangedBlocksCount", std::to_string(data_blocks.size())},
                      {"x-amz-Checksum", aggregate_checksum(digests)},
                      {"x-amz-Checksum-Algorithm", "SHA256"},
                      {"x-amz-Checksum-Aggregation-Method", "LINEAR"}};
  client.call(complete);
  return result;
}

void wait_for_snapshot(Ec2& ec2, const std::string& snapshot_id, std::chrono::seconds timeout,
                       const std::function<void(std::chrono::milliseconds)>& sleep) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto snapshots = ec2.describe_snapshots({}, {snapshot_id});
    if (!snapshots.empty()) {
      if (snapshots[0].state == "completed") return;
      if (snapshots[0].state == "error") {
        throw AwsError("SnapshotFailed", "snapshot " + snapshot_id + " ended in state error", "",
                       0);
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw AwsError("Timeout",
                     "snapshot " + snapshot_id + " was not completed within " +
                         std::to_string(timeout.count()) + " s",
                     "", 0);
    }
    sleep(std::chrono::milliseconds(2000));
  }
}

}  // namespace mayfly::aws
