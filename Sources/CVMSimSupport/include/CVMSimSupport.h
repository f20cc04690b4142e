#ifndef CVMSIMSUPPORT_H
#define CVMSIMSUPPORT_H

/// Hints the processor to bring the cache line holding `address` into the cache for reading.
/// Used by the per-access hot loops to overlap the memory latency of upcoming hash-table probes.
static inline void vmsim_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Hints the processor to bring the cache line holding `address` into the cache for writing.
static inline void vmsim_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
