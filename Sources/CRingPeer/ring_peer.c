/* The waiting side of ring_peer.h: as ring_wait_change in c_limit.c's spin-only mode. */
#define _GNU_SOURCE
#include "ring_peer.h"

#include <sched.h>

size_t ring_peer_size(void) { return RING_PEER_SLOTS + (size_t)RING_PEER_CAPACITY * sizeof(uint64_t); }

uint32_t ring_peer_wait_change(_Atomic uint32_t *index, uint32_t seen) {
    for (unsigned spins = 0;;) {
        uint32_t value = atomic_load_explicit(index, memory_order_acquire);
        if (value != seen)
            return value;
        /* Give the CPU away now and then, so that an oversubscribed machine (2 shared vCPUs)
         * cannot livelock the benchmark; with the other side running this never fires. */
        __builtin_ia32_pause();
        if ((++spins & 4095) == 0)
            sched_yield();
    }
}
