#pragma once

#include <cstddef>
#include <string>

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

// Writes `content` to standard output for "" or "-"; otherwise to a temporary file
// beside `path` that is renamed over it, so a failure never leaves a partial file.
bool write_output(const std::string& path, const std::string& content, std::string* err);

// Replaces `path` atomically (temp file, fsync, rename); the old file becomes
// `backup_path` when that is not empty.
bool replace_file_atomically(const std::string& path, const std::string& content,
                             const std::string& backup_path, std::string* err);

}  // namespace io
