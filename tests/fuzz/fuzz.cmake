# libFuzzer targets (cmake -DSTRATA_FUZZ=ON -DCMAKE_C_COMPILER=clang): every tests/fuzz/fuzz_<name>.c becomes
# an executable fuzz_<name>, linked with libFuzzer against library objects built with coverage
# instrumentation and AddressSanitizer + UndefinedBehaviorSanitizer.
# Run: build/fuzz_json -max_total_time=120 NEW_DIR tests/fuzz/corpus/json   (new inputs go to NEW_DIR)
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "STRATA_FUZZ=ON needs clang with libFuzzer: cmake -DCMAKE_C_COMPILER=clang ...")
endif()

set(STRATA_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)

add_library(strata_fuzz_obj OBJECT ${STRATA_SOURCES})
target_include_directories(strata_fuzz_obj PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/src)
# no -Werror here: fuzzing is not the place to enforce the warning set of another compiler
target_compile_options(strata_fuzz_obj PRIVATE ${STRATA_FUZZ_FLAGS} -fsanitize=fuzzer-no-link)
target_compile_definitions(strata_fuzz_obj PRIVATE _POSIX_C_SOURCE=200809L STRATA_BUILDING)

file(GLOB STRATA_FUZZ_TARGETS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(src ${STRATA_FUZZ_TARGETS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src} $<TARGET_OBJECTS:strata_fuzz_obj>)
  target_compile_options(${name} PRIVATE ${STRATA_WARNINGS} ${STRATA_FUZZ_FLAGS} -fsanitize=fuzzer)
  target_compile_definitions(${name} PRIVATE _POSIX_C_SOURCE=200809L)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src
    ${PROJECT_SOURCE_DIR}/tests/fuzz)
  target_link_options(${name} PRIVATE ${STRATA_FUZZ_FLAGS} -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ZLIB::ZLIB Threads::Threads m)
endforeach()
