#include "deploy/state_store.h"

#include <signal.h>
#include <sqlite3.h>

#include <cerrno>
#include <chrono>

namespace mayfly::deploy {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One prepared statement; binds by position, steps, finalizes on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK) {
      throw StateError(std::string("state database: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement& bind(int index, int64_t value) {
    sqlite3_bind_int64(statement_, index, value);
    return *this;
  }
  Statement& bind(int index, const std::string& value) {
    sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  bool step() {  // true while there is a row
    int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StateError(std::string("state database: ") + sqlite3_errmsg(db_));
  }
  void run() {
    while (step()) {
    }
  }
  int64_t integer(int column) { return sqlite3_column_int64(statement_, column); }
  std::string text(int column) {
    const unsigned char* value = sqlite3_column_text(statement_, column);
    return value ? reinterpret_cast<const char*>(value) : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS targets (
  name TEXT PRIMARY KEY, provider TEXT NOT NULL, address TEXT NOT NULL,
  memory_mib INTEGER NOT NULL, keep INTEGER NOT NULL, settings TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS images (
  id INTEGER PRIMARY KEY, target TEXT NOT NULL, provider_ref TEXT NOT NULL,
  bundle_id TEXT NOT NULL, created INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instances (
  id INTEGER PRIMARY KEY, target TEXT NOT NULL, image_id INTEGER NOT NULL,
  deployment_id INTEGER NOT NULL, provider_ref TEXT NOT NULL, url TEXT NOT NULL,
  state TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deployments (
  id INTEGER PRIMARY KEY, target TEXT NOT NULL, image_id INTEGER NOT NULL,
  old_instance_id INTEGER NOT NULL, new_instance_id INTEGER NOT NULL, kind TEXT NOT NULL,
  state TEXT NOT NULL, error TEXT NOT NULL, started INTEGER NOT NULL, finished INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY, deployment_id INTEGER NOT NULL, step TEXT NOT NULL,
  phase TEXT NOT NULL, detail TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS locks (target TEXT PRIMARY KEY, pid INTEGER NOT NULL);

)sql";

// Schema 1 -> 2: targets gained their provider settings.
constexpr const char* kUpgradeFrom1 =
    "ALTER TABLE targets ADD COLUMN settings TEXT NOT NULL DEFAULT ''";
constexpr int64_t kSchemaVersion = 2;

// Provider settings as "key=value" lines (keys and values hold no newline).
std::string encode_settings(const std::map<std::string, std::string>& settings) {
  std::string text;
  for (const auto& [key, value] : settings) text += key + "=" + value + "\n";
  return text;
}
std::map<std::string, std::string> decode_settings(const std::string& text) {
  std::map<std::string, std::string> settings;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (size_t eq = line.find('='); eq != std::string::npos) {
      settings[line.substr(0, eq)] = line.substr(eq + 1);
    }
    start = end + 1;
  }
  return settings;
}

ImageRecord read_image(Statement& row) {
  return {row.integer(0), row.text(1), row.text(2), row.text(3), row.integer(4), row.text(5)};
}
InstanceRecord read_instance(Statement& row) {
  return {row.integer(0), row.text(1), row.integer(2), row.integer(3),
          row.text(4),    row.text(5), row.text(6),    row.integer(7)};
}
Deployment read_deployment(Statement& row) {
  return {row.integer(0), row.text(1), row.integer(2), row.integer(3), row.integer(4),
          row.text(5),    row.text(6), row.text(7),    row.integer(8), row.integer(9)};
}

constexpr const char* kImageColumns = "id, target, provider_ref, bundle_id, created, state";
constexpr const char* kInstanceColumns =
    "id, target, image_id, deployment_id, provider_ref, url, state, created";
constexpr const char* kDeploymentColumns =
    "id, target, image_id, old_instance_id, new_instance_id, kind, state, error, started, "
    "finished";

std::string select(const char* columns, const char* rest) {
  return std::string("SELECT ") + columns + " " + rest;
}

}  // namespace

StateStore::StateStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StateError(path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10000);
  try {
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
    // Inside one write transaction, so two processes opening an old file upgrade it once.
    exec("BEGIN IMMEDIATE");
    int64_t version = 0;
    {
      Statement row(db_, "PRAGMA user_version");
      if (row.step()) version = row.integer(0);
    }
    if (version > kSchemaVersion) {
      throw StateError(path + ": made by a newer mayfly (schema " + std::to_string(version) + ")");
    }
    exec(kSchema);
    if (version == 1) exec(kUpgradeFrom1);
    exec("PRAGMA user_version = 2");
    exec("COMMIT");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

StateStore::~StateStore() {
  sqlite3_close(db_);
}

void StateStore::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw StateError(path_ + ": " + message);
  }
}

void StateStore::save_target(const Target& t) {
  Statement(db_,
            "INSERT INTO targets (name, provider, address, memory_mib, keep, settings) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET provider=excluded.provider, "
            "address=excluded.address, memory_mib=excluded.memory_mib, keep=excluded.keep, "
            "settings=excluded.settings")
      .bind(1, t.name)
      .bind(2, t.provider)
      .bind(3, t.address)
      .bind(4, static_cast<int64_t>(t.memory_mib))
      .bind(5, static_cast<int64_t>(t.keep))
      .bind(6, encode_settings(t.settings))
      .run();
}

std::optional<Target> StateStore::target(const std::string& name) {
  Statement row(db_,
                "SELECT name, provider, address, memory_mib, keep, settings FROM targets WHERE "
                "name=?");
  row.bind(1, name);
  if (!row.step()) return std::nullopt;
  return Target{row.text(0),
                row.text(1),
                row.text(2),
                static_cast<uint64_t>(row.integer(3)),
                static_cast<int>(row.integer(4)),
                decode_settings(row.text(5))};
}

std::vector<Target> StateStore::targets() {
  std::vector<Target> out;
  Statement row(db_, "SELECT name FROM targets ORDER BY name");
  while (row.step()) out.push_back(*target(row.text(0)));
  return out;
}

void StateStore::delete_target(const std::string& name) {
  exec("BEGIN IMMEDIATE");
  try {
    for (const char* sql :
         {"DELETE FROM journal WHERE deployment_id IN (SELECT id FROM deployments WHERE target=?)",
          "DELETE FROM deployments WHERE target=?", "DELETE FROM instances WHERE target=?",
          "DELETE FROM images WHERE target=?", "DELETE FROM targets WHERE name=?"}) {
      Statement(db_, sql).bind(1, name).run();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

int64_t StateStore::add_image(const ImageRecord& i) {
  Statement(db_,
            "INSERT INTO images (target, provider_ref, bundle_id, created, state) "
            "VALUES (?,?,?,?,?)")
      .bind(1, i.target)
      .bind(2, i.provider_ref)
      .bind(3, i.bundle_id)
      .bind(4, i.created)
      .bind(5, i.state)
      .run();
  return sqlite3_last_insert_rowid(db_);
}

void StateStore::update_image(const ImageRecord& i) {
  Statement(db_, "UPDATE images SET provider_ref=?, bundle_id=?, state=? WHERE id=?")
      .bind(1, i.provider_ref)
      .bind(2, i.bundle_id)
      .bind(3, i.state)
      .bind(4, i.id)
      .run();
}

std::optional<ImageRecord> StateStore::image(int64_t id) {
  Statement row(db_, select(kImageColumns, "FROM images WHERE id=?").c_str());
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  return read_image(row);
}

std::vector<ImageRecord> StateStore::images(const std::string& target) {
  std::vector<ImageRecord> out;
  Statement row(db_, select(kImageColumns, "FROM images WHERE target=? ORDER BY id DESC").c_str());
  row.bind(1, target);
  while (row.step()) out.push_back(read_image(row));
  return out;
}

int64_t StateStore::add_instance(const InstanceRecord& i) {
  Statement(db_,
            "INSERT INTO instances (target, image_id, deployment_id, provider_ref, url, state, "
            "created) VALUES (?,?,?,?,?,?,?)")
      .bind(1, i.target)
      .bind(2, i.image_id)
      .bind(3, i.deployment_id)
      .bind(4, i.provider_ref)
      .bind(5, i.url)
      .bind(6, i.state)
      .bind(7, i.created)
      .run();
  return sqlite3_last_insert_rowid(db_);
}

void StateStore::update_instance(const InstanceRecord& i) {
  Statement(db_, "UPDATE instances SET provider_ref=?, url=?, state=? WHERE id=?")
      .bind(1, i.provider_ref)
      .bind(2, i.url)
      .bind(3, i.state)
      .bind(4, i.id)
      .run();
}

std::optional<InstanceRecord> StateStore::instance(int64_t id) {
  Statement row(db_, select(kInstanceColumns, "FROM instances WHERE id=?").c_str());
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  return read_instance(row);
}

std::vector<InstanceRecord> StateStore::instances(const std::string& target) {
  std::vector<InstanceRecord> out;
  Statement row(db_,
                select(kInstanceColumns, "FROM instances WHERE target=? ORDER BY id DESC").c_str());
  row.bind(1, target);
  while (row.step()) out.push_back(read_instance(row));
  return out;
}

std::optional<InstanceRecord> StateStore::serving_instance(const std::string& target) {
  Statement row(db_, select(kInstanceColumns,
                            "FROM instances WHERE target=? AND state='serving' ORDER BY id DESC")
                         .c_str());
  row.bind(1, target);
  if (!row.step()) return std::nullopt;
  return read_instance(row);
}

int64_t StateStore::add_deployment(const Deployment& d) {
  Statement(db_,
            "INSERT INTO deployments (target, image_id, old_instance_id, new_instance_id, kind, "
            "state, error, started, finished) VALUES (?,?,?,?,?,?,?,?,?)")
      .bind(1, d.target)
      .bind(2, d.image_id)
      .bind(3, d.old_instance_id)
      .bind(4, d.new_instance_id)
      .bind(5, d.kind)
      .bind(6, d.state)
      .bind(7, d.error)
      .bind(8, d.started)
      .bind(9, d.finished)
      .run();
  return sqlite3_last_insert_rowid(db_);
}

void StateStore::update_deployment(const Deployment& d) {
  Statement(db_,
            "UPDATE deployments SET image_id=?, old_instance_id=?, new_instance_id=?, state=?, "
            "error=?, finished=? WHERE id=?")
      .bind(1, d.image_id)
      .bind(2, d.old_instance_id)
      .bind(3, d.new_instance_id)
      .bind(4, d.state)
      .bind(5, d.error)
      .bind(6, d.finished)
      .bind(7, d.id)
      .run();
}

std::optional<Deployment> StateStore::deployment(int64_t id) {
  Statement row(db_, select(kDeploymentColumns, "FROM deployments WHERE id=?").c_str());
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  return read_deployment(row);
}

std::vector<Deployment> StateStore::deployments(const std::string& target, int limit) {
  std::vector<Deployment> out;
  Statement row(
      db_, select(kDeploymentColumns, "FROM deployments WHERE target=? ORDER BY id DESC LIMIT ?")
               .c_str());
  row.bind(1, target).bind(2, static_cast<int64_t>(limit));
  while (row.step()) out.push_back(read_deployment(row));
  return out;
}

std::optional<Deployment> StateStore::unfinished_deployment(const std::string& target) {
  Statement row(db_, select(kDeploymentColumns,
                            "FROM deployments WHERE target=? AND state='running' ORDER BY id DESC")
                         .c_str());
  row.bind(1, target);
  if (!row.step()) return std::nullopt;
  return read_deployment(row);
}

void StateStore::journal(int64_t deployment_id, const std::string& step, const std::string& phase,
                         const std::string& detail) {
  Statement(db_,
            "INSERT INTO journal (deployment_id, step, phase, detail, at_ms) VALUES (?,?,?,?,?)")
      .bind(1, deployment_id)
      .bind(2, step)
      .bind(3, phase)
      .bind(4, detail)
      .bind(5, now_ms())
      .run();
}

std::vector<JournalEntry> StateStore::journal_of(int64_t deployment_id) {
  std::vector<JournalEntry> out;
  Statement row(db_,
                "SELECT deployment_id, step, phase, detail, at_ms FROM journal "
                "WHERE deployment_id=? ORDER BY seq");
  row.bind(1, deployment_id);
  while (row.step()) {
    out.push_back({row.integer(0), row.text(1), row.text(2), row.text(3), row.integer(4)});
  }
  return out;
}

bool StateStore::try_lock(const std::string& target, int pid) {
  exec("BEGIN IMMEDIATE");
  try {
    Statement row(db_, "SELECT pid FROM locks WHERE target=?");
    row.bind(1, target);
    if (row.step()) {
      int holder = static_cast<int>(row.integer(0));
      // A holder that died (kill -9) leaves its row; the lock is free again.
      if (holder != pid && (::kill(holder, 0) == 0 || errno == EPERM)) {
        exec("ROLLBACK");
        return false;
      }
    }
    Statement(db_, "INSERT OR REPLACE INTO locks (target, pid) VALUES (?,?)")
        .bind(1, target)
        .bind(2, static_cast<int64_t>(pid))
        .run();
    exec("COMMIT");
    return true;
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

void StateStore::unlock(const std::string& target, int pid) {
  Statement(db_, "DELETE FROM locks WHERE target=? AND pid=?")
      .bind(1, target)
      .bind(2, static_cast<int64_t>(pid))
      .run();
}

}  // namespace mayfly::deploy
