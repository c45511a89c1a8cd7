#include <stdlib.h>

// The test runner is multi-threaded (Swift Testing's own threads) and its tests fork on
// purpose: the one-time multi-threaded-fork warning would be the only line a passing run
// prints. Set before any test runs; tests of the warning set
// Multitask.warnsOnMultithreadedFork themselves, which overrides this.
__attribute__((constructor)) static void quiet_fork_warning(void) {
    setenv("MULTITASK_FORK_WARNING", "0", 0);
}

int multitask_test_environment_linked(void) { return 1; }
