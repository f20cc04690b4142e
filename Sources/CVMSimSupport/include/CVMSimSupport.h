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

/// Installs the Ctrl-C handler of a long run: the first SIGINT only asks the run to stop after the
/// batch it is in (`vmsim_interrupted` turns true), so that the results so far can be printed; a
/// second one exits at once with status 130.
void vmsim_interrupt_install(void);

/// Whether SIGINT has arrived since `vmsim_interrupt_install`.
int vmsim_interrupted(void);

#endif
