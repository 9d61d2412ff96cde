#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "backfill/backfill_state.hpp"
#include "io/record_reader.hpp"

namespace core {

// Where a backfill's identities come from, one record's JSON text at a time. next() runs on
// one thread; bytes_read(), total_bytes() and position() may be called from others.
class IdentitySource {
 public:
  virtual ~IdentitySource() = default;

  // Gets ready to read. `resume` is what an earlier run finished; a source that cannot honour
  // all of it narrows it (the records it no longer counts as finished are read again).
  // False with `err` when the source cannot be read at all.
  virtual bool open(BackfillState* resume, std::string* err) = 0;

  // The next record; false at the end, on a stop from outside (`err` empty), or on an error.
  virtual bool next(std::string* record, std::string* err) = 0;

  // The record number of the first record next() gives.
  virtual long first_index() const = 0;

  // Read to its end: why that is not every identity there is ("" when it is).
  virtual std::string incomplete() const { return ""; }

  // Whether the last error was the source not answering (rather than refusing).
  virtual bool unreachable() const { return false; }

  virtual std::size_t bytes_read() const = 0;
  virtual std::size_t total_bytes() const { return 0; }  // 0 when unknown

  // Where a resumed run picks up once the first `records_done` records are finished, for
  // sources read by pages; nullopt for the others (they are read again from the start).
  virtual std::optional<PagePosition> position(long records_done) {
    static_cast<void>(records_done);
    return std::nullopt;
  }

  // What the state file names as the input.
  virtual std::string name() const = 0;
};

// A file or stdin, as io::RecordReader reads it.
class FileIdentitySource : public IdentitySource {
 public:
  explicit FileIdentitySource(std::string path) : m_path(std::move(path)) {}
  bool open(BackfillState* resume, std::string* err) override;
  bool next(std::string* record, std::string* err) override { return m_reader.next(record, err); }
  long first_index() const override { return 0; }
  std::string incomplete() const override;
  std::size_t bytes_read() const override { return m_reader.bytes_read(); }
  std::size_t total_bytes() const override { return m_reader.total_bytes(); }
  std::string name() const override { return m_path; }

 private:
  std::string m_path;
  io::RecordReader m_reader;
};

}  // namespace core
