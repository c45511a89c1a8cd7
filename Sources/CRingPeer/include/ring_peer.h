/*
 * The C shared-memory SPSC ring of Benchmarks/baselines/c_limit.c (`ring`, 8-byte messages,
 * its spin-only mode: `shm_ring_throughput_8B_spinonly`), one message at a time, so that
 * `multitask bench` measures it beside `Queue<Int>` in the same harness and at the same
 * moments (the peer row `peer_c_shm_ring_spin_throughput_8B`).
 *
 * Protocol (as in c_limit.c): each side caches the other's index and reads it only when its
 * cache says full (producer) or empty (consumer), and publishes its own index with a
 * release store after every message. A side that must wait spins on the other's index,
 * giving the CPU away every 4096 pauses (ring_peer.c). No futex: c_limit's futex mode, in
 * this harness, fell on every run into the two sides taking turns on one vCPU (each wait of
 * the consumer a ~16 µs futex sleep, ~1.3 M msgs/s), so it would not say how fast a ring is.
 *
 * A benchmark peer, not part of the library: both processes are ours and trust each other.
 */
#ifndef RING_PEER_H
#define RING_PEER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RING_PEER_CAPACITY 32768u /* 8-byte slots, as c_limit's 8 B run */
#define RING_PEER_LINE 64

/* One side's private state: its own index and its cache of the other side's. */
typedef struct {
    uint32_t index;
    uint32_t other;
} ring_peer_side;

/* Bytes of shared memory a ring takes (zeroed memory is an empty ring). */
size_t ring_peer_size(void);

/* Spins until *index differs from `seen`; returns the new value. */
uint32_t ring_peer_wait_change(_Atomic uint32_t *index, uint32_t seen);

/* Field offsets in the shared ring: each index on a cache line of its own. */
#define RING_PEER_TAIL (0 * RING_PEER_LINE)
#define RING_PEER_HEAD (1 * RING_PEER_LINE)
#define RING_PEER_SLOTS (2 * RING_PEER_LINE)

static inline _Atomic uint32_t *ring_peer_word(void *ring, size_t offset) {
    return (_Atomic uint32_t *)((unsigned char *)ring + offset);
}

/* Appends `value`; waits while the ring is full. Producer side only. */
static inline void ring_peer_put(void *ring, ring_peer_side *side, uint64_t value) {
    _Atomic uint32_t *head = ring_peer_word(ring, RING_PEER_HEAD);
    if (side->index - side->other == RING_PEER_CAPACITY) {
        side->other = atomic_load_explicit(head, memory_order_acquire);
        if (side->index - side->other == RING_PEER_CAPACITY)
            side->other = ring_peer_wait_change(head, side->other);
    }
    uint64_t *slots = (uint64_t *)((unsigned char *)ring + RING_PEER_SLOTS);
    slots[side->index & (RING_PEER_CAPACITY - 1)] = value;
    side->index++;
    atomic_store_explicit(ring_peer_word(ring, RING_PEER_TAIL), side->index, memory_order_release);
}

/* Removes the oldest value; waits while the ring is empty. Consumer side only. */
static inline uint64_t ring_peer_get(void *ring, ring_peer_side *side) {
    if (side->index == side->other) {
        _Atomic uint32_t *tail = ring_peer_word(ring, RING_PEER_TAIL);
        side->other = atomic_load_explicit(tail, memory_order_acquire);
        if (side->index == side->other)
            side->other = ring_peer_wait_change(tail, side->index);
    }
    const uint64_t *slots = (const uint64_t *)((const unsigned char *)ring + RING_PEER_SLOTS);
    uint64_t value = slots[side->index & (RING_PEER_CAPACITY - 1)];
    side->index++;
    atomic_store_explicit(ring_peer_word(ring, RING_PEER_HEAD), side->index, memory_order_release);
    return value;
}

#endif
