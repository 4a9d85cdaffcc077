"""`mingcha bench`: the benchmarks, each a ratio against a baseline measured in the same run,
and the tools they need — a shaped/fault-injecting TCP link (proxy, shaping, link) and
real `mingcha serve` processes (procs). Results: RESULTS.md beside this file. The fault
tests (tests/faults) drive the same proxy."""
