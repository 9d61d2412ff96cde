#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace io {

// The largest template, action or config the tool reads. Kratos caps a template's
// output at 256 KiB; inputs far beyond a few MiB are a mistake, not a config.
constexpr std::size_t k_max_input_bytes = std::size_t{8} << 20;

// A name for `path` in messages: "<stdin>" for "-".
std::string display_name(const std::string& path);

// Whether anything (a file, a directory, a device) is at `path`.
bool path_exists(const std::string& path);

// Whether `a` and `b` name the same file: the same device and inode when both exist, the
// same place in the same directory when neither does (yet).
bool same_file(const std::string& a, const std::string& b);

// Reads a whole file, or standard input for "-". Refuses directories, unreadable
// files and anything larger than `max_bytes`; the message names the path.
bool read_input(const std::string& path, std::string* out, std::string* err,
                std::size_t max_bytes = k_max_input_bytes);

// Like read_input, and also refuses empty input and bytes that are not UTF-8
// (reported as "NAME:LINE:COL: ...").
bool read_text_input(const std::string& path, std::string* out, std::string* err,
                     std::size_t max_bytes = k_max_input_bytes);

// How a file is written.
struct WriteOptions {
  // It holds a secret (a write key): created 0600, and an existing file is never left
  // readable by more than its owner. Otherwise a new file gets 0666 less the umask, and an
  // existing one keeps its mode.
  bool private_file = false;
  // Keep the file being replaced as PATH.bak (PATH.bak.1, .2, ... when that exists, so an
  // earlier backup is never overwritten), with its mode.
  bool keep_backup = false;
  // Paths this command reads: writing onto one of them is refused, nothing written.
  std::vector<std::string> inputs;
};

// Whether standard input is closed (`<&-`): reading "-" then is an error, not an empty input.
bool stdin_closed();

// Writes `content` to standard output for "" or "-"; otherwise as replace_file_atomically.
bool write_output(const std::string& path, const std::string& content, const WriteOptions& opts,
                  std::string* err);

// Replaces `path` atomically (temp file, fsync, rename), so a failure never leaves a partial
// file. A symlink is written through (its target replaced, the link kept); a FIFO or a
// device is written directly, never replaced by a file. `*backup` (may be null): the
// backup's path, or "" when none was made.
bool replace_file_atomically(const std::string& path, const std::string& content,
                             const WriteOptions& opts, std::string* backup, std::string* err);

}  // namespace io
