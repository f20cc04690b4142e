extension Machine {
    /// The machine's state for `vmsim run`'s time series, in pages and event counts: memory by kind
    /// (anonymous and file LRU pages, shmem, the swap cache, slab, page tables, free), the zones'
    /// watermarks summed, swap in use, the fault, reclaim, swap and OOM counters of /proc/vmstat so
    /// far, each live process's resident anonymous and file pages and its swapped-out pages, and each
    /// cgroup's memory.current and memory.swap.current and the pages its reclaim scanned and stole
    /// (it and its descendants, as memory.stat counts them).
    /// - Complexity: O(files + processes + zones + cgroups²), none of it per frame.
    public var seriesSample: [(String, Double)] {
        let s = vmstat
        func d(_ v: Int) -> Double { Double(v) }
        let zones = memory.phys.zones
        let cache = pageCachePages, shmem = shmemPages
        var out: [(String, Double)] = [
            ("free", d(memory.phys.freePagesTotal)),
            ("anon", d(lruPages(.activeAnon) + lruPages(.inactiveAnon))),
            ("file", d(cache - shmem)),
            ("shmem", d(shmem)),
            ("swapCached", d(swapCachedPages)),
            ("slab", d(slub.slabPages)),
            ("pageTables", d(memory.pageTablePages)),
            ("watermarkMin", d(zones.reduce(0) { $0 + $1.watermarks.min })),
            ("watermarkLow", d(zones.reduce(0) { $0 + $1.watermarks.low })),
            ("watermarkHigh", d(zones.reduce(0) { $0 + $1.watermarks.high })),
            ("swapUsed", d((swap?.totalPages ?? 0) - (swap?.freePages ?? 0))),
            ("pgfault", d(s.pgfault)), ("pgmajfault", d(s.pgmajfault)),
            ("pgscanKswapd", d(s.pgscanKswapd)), ("pgscanDirect", d(s.pgscanDirect)),
            ("pgstealKswapd", d(s.pgstealKswapd)), ("pgstealDirect", d(s.pgstealDirect)),
            ("pswpin", d(s.pswpin)), ("pswpout", d(s.pswpout)), ("oomKill", d(s.oomKill)),
        ]
        for t in tasks where t.pid == t.tgid {
            guard let mm = mm(of: t.pid) else { continue }
            let name = "\(t.name) (\(t.pid))"
            out.append((name + ".anon", d(mm.anonPages + mm.shmemPages)))
            out.append((name + ".file", d(mm.filePages)))
            out.append((name + ".swap", d(mm.swapEntries)))
        }
        let mc = memory.memcg
        for g in mc.cgroups.indices where g > 0 {
            let c = mc.cgroups[g], members = mc.subtree(g)
            func events(_ e: MemcgCounter) -> Int { members.reduce(0) { $0 + mc.cgroups[$1].count(e) } }
            let name = "cgroup " + c.name
            out.append((name + ".current", d(c.usage)))
            out.append((name + ".swap", d(c.swapUsage)))
            out.append((name + ".pgscan", d(events(.pgscanKswapd) + events(.pgscanDirect))))
            out.append((name + ".pgsteal", d(events(.pgstealKswapd) + events(.pgstealDirect))))
        }
        return out
    }
}
