# Writes OUT (a header) with the git commit of SOURCE_DIR and the build date, only when they
# changed, so a build recompiles one file a day at most. Run at build time by the
# ory_segment_build_info target. The date honours SOURCE_DATE_EPOCH (reproducible builds).
execute_process(
  COMMAND git -c safe.directory=* -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
else()
  execute_process(
    COMMAND git -c safe.directory=* -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
    OUTPUT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty STREQUAL "")
    string(APPEND commit "-dirty")
  endif()
endif()
string(TIMESTAMP date "%Y-%m-%d" UTC)
set(content "#pragma once\n#define ORY_SEGMENT_COMMIT \"${commit}\"\n#define ORY_SEGMENT_BUILD_DATE \"${date}\"\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL content)
  file(WRITE "${OUT}" "${content}")
endif()
