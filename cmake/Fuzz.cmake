# TANDEM_FUZZ: every target gets the sanitizers and libFuzzer's coverage hooks; only the fuzzer
# executables link libFuzzer itself (-fsanitize=fuzzer, tests/fuzz/CMakeLists.txt).
if(TANDEM_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TANDEM_FUZZ needs clang (cmake -DCMAKE_C_COMPILER=clang)")
  endif()
  set(_fuzz_san -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                -fno-omit-frame-pointer)
  add_compile_options(${_fuzz_san})
  add_link_options(-fsanitize=address,undefined)
endif()
