# Writes OUT as a C++ raw string literal holding IN's text, for a file the binary carries (the
# page `listen --ui` serves). Run at build time when IN changes.
file(READ "${IN}" content)
string(FIND "${content}" ")ory_segment_text\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} holds the literal's delimiter")
endif()
file(WRITE "${OUT}" "R\"ory_segment_text(" "${content}" ")ory_segment_text\"\n")
