# Seed corpora for the fuzz targets, gathered from the TOML files in the tree each time the
# fuzz targets are built (cmake -P, see CMakeLists.txt here): every examples/**/*.toml and
# tests/**/*.toml as a configuration seed, the same texts as D-Bus Validate calls for
# fuzz_dbus_args, plus the hand-written seeds under seeds/ here.
#   cmake -DSOURCE_DIR=<tree> -DOUT_DIR=<dir> -P gather_seeds.cmake
cmake_minimum_required(VERSION 3.25)
file(GLOB_RECURSE tomls "${SOURCE_DIR}/examples/*.toml" "${SOURCE_DIR}/tests/*.toml")
file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}/toml" "${OUT_DIR}/dbus_args")
set(n 0)
foreach(f IN LISTS tomls)
  math(EXPR n "${n} + 1")
  file(COPY_FILE "${f}" "${OUT_DIR}/toml/${n}.toml")
  file(READ "${f}" text)
  # One record: the opcode V (Validate) and the text (see fuzz_dbus_args.cpp).
  file(WRITE "${OUT_DIR}/dbus_args/validate-${n}" "V${text}")
endforeach()
file(GLOB own RELATIVE "${SOURCE_DIR}/tests/reliability/fuzz/seeds"
     "${SOURCE_DIR}/tests/reliability/fuzz/seeds/*/*")
foreach(f IN LISTS own)
  get_filename_component(dir "${f}" DIRECTORY)
  file(MAKE_DIRECTORY "${OUT_DIR}/${dir}")
  file(COPY_FILE "${SOURCE_DIR}/tests/reliability/fuzz/seeds/${f}" "${OUT_DIR}/${f}")
endforeach()
list(LENGTH tomls count)
message(STATUS "fuzz seeds: ${count} TOML files from the tree")
