#include "cshim.h"
#include "after_fork.h"

// The registry is a fixed array in static storage: registering never allocates, and the fork
// child reads it without a lock (a registration racing a fork is either complete or skipped).
static struct {
    void (*run)(void *context);
    void *context;
} resets[CSHIM_AFTER_FORK_CAPACITY];
static int claimed;

int cshim_after_fork_register(void (*run)(void *context), void *context) {
    int index = __atomic_fetch_add(&claimed, 1, __ATOMIC_RELAXED);
    if (index >= CSHIM_AFTER_FORK_CAPACITY) return -1;
    resets[index].context = context;
    __atomic_store_n(&resets[index].run, run, __ATOMIC_RELEASE);
    return 0;
}

void after_fork_run_resets(void) {
    int count = __atomic_load_n(&claimed, __ATOMIC_RELAXED);
    if (count > CSHIM_AFTER_FORK_CAPACITY) count = CSHIM_AFTER_FORK_CAPACITY;
    for (int i = 0; i < count; i++) {
        void (*run)(void *) = __atomic_load_n(&resets[i].run, __ATOMIC_ACQUIRE);
        if (run) run(resets[i].context);
    }
}
