#pragma once
// The deploy state in an embedded SQLite database (`.mayfly/state.db` beside the site, or
// --state): targets, images, instances, deployments and the step journal. Every write is
// its own transaction, committed before the step it describes runs (WAL mode, synchronous
// FULL), so kill -9 at any point leaves a state the next command can finish or undo.
// Hosted code; throws StateError.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "deploy/model.h"

struct sqlite3;

namespace mayfly::deploy {

class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateStore {
 public:
  explicit StateStore(const std::string& path);  // creates the file and schema if needed
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  void save_target(const Target& target);
  std::optional<Target> target(const std::string& name);
  std::vector<Target> targets();
  void delete_target(const std::string& name);

  int64_t add_image(const ImageRecord& image);
  void update_image(const ImageRecord& image);
  std::optional<ImageRecord> image(int64_t id);
  std::vector<ImageRecord> images(const std::string& target);  // newest first

  int64_t add_instance(const InstanceRecord& instance);
  void update_instance(const InstanceRecord& instance);
  std::optional<InstanceRecord> instance(int64_t id);
  std::vector<InstanceRecord> instances(const std::string& target);  // newest first
  std::optional<InstanceRecord> serving_instance(const std::string& target);

  int64_t add_deployment(const Deployment& deployment);
  void update_deployment(const Deployment& deployment);
  std::optional<Deployment> deployment(int64_t id);
  std::vector<Deployment> deployments(const std::string& target, int limit);  // newest first
  std::optional<Deployment> unfinished_deployment(const std::string& target);

  void journal(int64_t deployment_id, const std::string& step, const std::string& phase,
               const std::string& detail = "");
  std::vector<JournalEntry> journal_of(int64_t deployment_id);

  // A lock against two mayfly commands changing one target at once (BEGIN IMMEDIATE held
  // in a second connection would block readers; a lock row with the holder's pid instead).
  bool try_lock(const std::string& target, int pid);
  void unlock(const std::string& target, int pid);

 private:
  void exec(const char* sql);
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace mayfly::deploy
