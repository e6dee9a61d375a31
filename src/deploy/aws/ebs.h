#pragma once
// A raw disk image straight into an EBS snapshot through the EBS direct APIs
// (StartSnapshot, PutSnapshotBlock, CompleteSnapshot): no helper instance, no volume.
// Only blocks holding non-zero bytes are sent (a snapshot's unwritten blocks read as
// zeros), by several workers at once, each block with its SHA-256. Hosted code.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "deploy/aws/client.h"
#include "deploy/aws/ec2.h"

namespace mayfly::aws {

inline constexpr uint64_t kEbsBlockSize = 512 * 1024;  // EBS direct's fixed block size

struct SnapshotUpload {
  std::string image_path;
  std::string description;
  Tags tags;
  std::string client_token;  // StartSnapshot is idempotent on it
  int workers = 16;
  // Called from worker threads, serialized: blocks sent so far, blocks to send.
  std::function<void(uint64_t sent, uint64_t total)> progress;
};

struct SnapshotResult {
  std::string snapshot_id;
  uint64_t blocks_sent = 0;
  uint64_t blocks_skipped = 0;  // all-zero blocks
  uint64_t volume_size_gib = 0;
};

// Uploads and completes the snapshot; it may still be sealing when this returns (wait with
// `wait_for_snapshot`). Any failure throws AwsError/TransportError/std::runtime_error.
SnapshotResult upload_snapshot(const Settings& settings, const ClientOptions& ebs_options,
                               const SnapshotUpload& upload);

// Polls DescribeSnapshots until the snapshot is completed; throws on "error" or timeout.
void wait_for_snapshot(Ec2& ec2, const std::string& snapshot_id, std::chrono::seconds timeout,
                       const std::function<void(std::chrono::milliseconds)>& sleep);

// The LINEAR aggregate of per-block SHA-256 digests: SHA-256 over the raw digests in block
// order, base64 (what CompleteSnapshot checks).
std::string aggregate_checksum(const std::vector<std::string>& raw_block_digests);

}  // namespace mayfly::aws
