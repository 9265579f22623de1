# dirty_bench: the C twin of bench/.../DirtySetRangeBench and DirtySnapshotBench (same layout, steps, sizes).
# Included from native/bench/CMakeLists.txt; its --check mode (QEMU's test-bitmap cases on the C bitmap) is a ctest.
add_executable(dirty_bench ${CMAKE_CURRENT_LIST_DIR}/dirty_bench.c)
target_compile_definitions(dirty_bench PRIVATE _GNU_SOURCE)
add_test(NAME dirty_bench_check COMMAND dirty_bench --check)
