#include "deploy/aws/settings.h"

#include <fstream>
#include <optional>
#include <sstream>

namespace mayfly::aws {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

[[noreturn]] void fail(std::string_view file, size_t line, size_t column, std::string_view what) {
  throw SettingsError(std::string(file) + ":" + std::to_string(line) + ":" +
                      std::to_string(column) + ": " + std::string(what));
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string env_or(const EnvironmentLookup& environment, const char* name) {
  const char* value = environment(name);
  return value ? std::string(value) : std::string();
}

const std::map<std::string, std::string>* find_section(const ProfileSections& sections,
                                                       const std::string& name) {
  auto found = sections.find(name);
  return found == sections.end() ? nullptr : &found->second;
}

std::string value_of(const std::map<std::string, std::string>* section, const char* key) {
  if (!section) return {};
  auto found = section->find(key);
  return found == section->end() ? std::string() : found->second;
}

}  // namespace

ProfileSections parse_profile_file(std::string_view text, std::string_view file_name) {
  ProfileSections sections;
  std::string section;
  bool in_section = false;
  std::string parent_key;  // the key whose indented block we are in, if any
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    const bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (line.front() == '[') {
      if (line.back() != ']') fail(file_name, line_number, raw.size(), "expected ']'");
      section = std::string(trim(line.substr(1, line.size() - 2)));
      if (section.empty()) fail(file_name, line_number, 2, "empty section name");
      sections[section];
      in_section = true;
      parent_key.clear();
      continue;
    }
    size_t equals = line.find('=');
    size_t column = static_cast<size_t>(line.data() - raw.data()) + 1;
    if (equals == std::string_view::npos) {
      fail(file_name, line_number, column, "expected 'key = value' or '[section]'");
    }
    if (!in_section) fail(file_name, line_number, column, "setting outside of a [section]");
    std::string key(trim(line.substr(0, equals)));
    std::string value(trim(line.substr(equals + 1)));
    if (key.empty()) fail(file_name, line_number, column, "empty key");
    if (indented && !parent_key.empty()) {
      sections[section][parent_key + "." + key] = value;
      continue;
    }
    parent_key = value.empty() ? key : std::string();
    sections[section][key] = value;
  }
  return sections;
}

Settings resolve_settings(const SettingsRequest& request, const EnvironmentLookup& environment,
                          const MetadataLookup& metadata) {
  Settings settings;
  // Asked at most once, and only when something is missing.
  std::optional<std::optional<InstanceMetadata>> from_instance;
  auto instance = [&]() -> const std::optional<InstanceMetadata>& {
    if (!from_instance) from_instance = metadata ? metadata() : std::nullopt;
    return *from_instance;
  };
  const std::string home = env_or(environment, "HOME");
  std::string credentials_file = env_or(environment, "AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_file.empty()) credentials_file = home + "/.aws/credentials";
  std::string config_file = env_or(environment, "AWS_CONFIG_FILE");
  if (config_file.empty()) config_file = home + "/.aws/config";

  ProfileSections credentials_sections, config_sections;
  if (auto text = read_file(credentials_file)) {
    credentials_sections = parse_profile_file(*text, credentials_file);
  }
  if (auto text = read_file(config_file)) {
    config_sections = parse_profile_file(*text, config_file);
  }

  const bool profile_explicit = !request.profile.empty();
  settings.profile = request.profile;
  if (settings.profile.empty()) settings.profile = env_or(environment, "AWS_PROFILE");
  if (settings.profile.empty()) settings.profile = "default";
  const auto* credentials_section = find_section(credentials_sections, settings.profile);
  const auto* config_section =
      find_section(config_sections, settings.profile == "default" ? std::string("default")
                                                                  : "profile " + settings.profile);
  if (profile_explicit && !credentials_section && !config_section) {
    throw SettingsError("AWS profile '" + settings.profile + "' is in neither " + credentials_file +
                        " nor " + config_file);
  }

  // Environment keys win unless a profile was named on the command line.
  const std::string env_key = env_or(environment, "AWS_ACCESS_KEY_ID");
  const std::string env_secret = env_or(environment, "AWS_SECRET_ACCESS_KEY");
  if (!profile_explicit && !env_key.empty() && !env_secret.empty()) {
    settings.credentials = {env_key, env_secret, env_or(environment, "AWS_SESSION_TOKEN")};
    settings.credentials_from = "environment";
  } else {
    for (const auto& [section, file] :
         {std::pair{credentials_section, &credentials_file}, {config_section, &config_file}}) {
      std::string key = value_of(section, "aws_access_key_id");
      std::string secret = value_of(section, "aws_secret_access_key");
      if (key.empty() || secret.empty()) continue;
      settings.credentials = {key, secret, value_of(section, "aws_session_token")};
      settings.credentials_from = "profile '" + settings.profile + "' in " + *file;
      break;
    }
  }
  if (settings.credentials.access_key_id.empty() && !profile_explicit && instance()) {
    settings.credentials = instance()->credentials;
    settings.credentials_from = "the instance metadata service (role " + instance()->role + ")";
  }
  if (settings.credentials.access_key_id.empty()) {
    throw SettingsError(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add "
        "aws_access_key_id/aws_secret_access_key to profile '" +
        settings.profile + "' in " + credentials_file +
        (metadata ? ", or run on an EC2 instance with a role" : ""));
  }

  settings.region = request.region;
  if (settings.region.empty()) settings.region = env_or(environment, "AWS_REGION");
  if (settings.region.empty()) settings.region = env_or(environment, "AWS_DEFAULT_REGION");
  if (settings.region.empty()) settings.region = value_of(config_section, "region");
  if (settings.region.empty()) settings.region = value_of(credentials_section, "region");
  if (settings.region.empty() && instance()) settings.region = instance()->region;
  if (settings.region.empty()) {
    throw SettingsError(
        "no AWS region: pass --region, set AWS_REGION, or add region to "
        "profile '" +
        settings.profile + "' in " + config_file);
  }
  return settings;
}

}  // namespace mayfly::aws
