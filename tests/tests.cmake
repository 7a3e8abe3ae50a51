# Test layers: unit tests (tests/unit/test_*.c, one executable each), golden CLI tests
# (tests/cli/<case>/), reference-data tests against ../shared/data (skip when absent), fuzz corpus replay.
file(GLOB STRATA_UNIT_TESTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${STRATA_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE ${STRATA_WARNINGS})
  target_compile_definitions(${name} PRIVATE _POSIX_C_SOURCE=200809L
    STRATA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    STRATA_SHARED_DATA="${PROJECT_SOURCE_DIR}/../shared/data")
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE strata_static)
  add_test(NAME unit/${name} COMMAND ${name})
  set_tests_properties(unit/${name} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()

# Golden CLI tests: each folder holds `cmd` (arguments, one shell line run in the folder),
# expected `stdout`/`stderr` (optional) and `status`.
file(GLOB STRATA_GOLDEN CONFIGURE_DEPENDS LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/tests/cli/*)
foreach(dir ${STRATA_GOLDEN})
  if(IS_DIRECTORY ${dir})
    get_filename_component(name ${dir} NAME)
    add_test(NAME cli/${name}
      COMMAND sh ${PROJECT_SOURCE_DIR}/tests/run_golden.sh $<TARGET_FILE:strata> ${dir})
    set_tests_properties(cli/${name} PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endforeach()

# Reference-data and end-to-end script tests: tests/scripts/*.sh STRATA_BIN SOURCE_DIR
file(GLOB STRATA_SCRIPT_TESTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/scripts/*.sh)
foreach(script ${STRATA_SCRIPT_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME script/${name}
    COMMAND sh ${script} $<TARGET_FILE:strata> ${PROJECT_SOURCE_DIR})
  set_tests_properties(script/${name} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()

# Fuzz corpus replay: every tests/fuzz/fuzz_<name>.c also links with replay_main.c into replay_<name>, which
# runs the target over tests/fuzz/corpus/<name>/ (seeds and fixed crash reproducers) with any compiler.
file(GLOB STRATA_FUZZ_REPLAY CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(src ${STRATA_FUZZ_REPLAY})
  get_filename_component(fuzz_name ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" name ${fuzz_name})
  add_executable(replay_${name} ${src} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.c)
  target_compile_options(replay_${name} PRIVATE ${STRATA_WARNINGS})
  target_compile_definitions(replay_${name} PRIVATE _POSIX_C_SOURCE=200809L)
  target_include_directories(replay_${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests/fuzz)
  target_link_libraries(replay_${name} PRIVATE strata_static)
  add_test(NAME fuzz/${name} COMMAND replay_${name} ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${name})
endforeach()
