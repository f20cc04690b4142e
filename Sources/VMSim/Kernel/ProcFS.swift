/// The kernel's /proc files for the whole machine, in the kernel's own formats: /proc/vmstat
/// (mm/vmstat.c, `vmstat_text` order), /proc/meminfo (fs/proc/meminfo.c, `show_val_kb`),
/// /proc/PID/maps (fs/proc/task_mmu.c `show_map_vma`), /proc/PID/status (`task_mem`),
/// /proc/PID/smaps_rollup (`show_smaps_rollup`), /proc/PID/oom_score (fs/proc/base.c). buddyinfo,
/// zoneinfo and slabinfo are `ProcFiles`' (the physical allocators' own).
extension Machine {

    /// Pages in the swap cache (`NR_SWAPCACHE`).
    public var swapCachedPages: Int { swap?.cache.count ?? 0 }

    /// Anonymous pages mapped at least once (`NR_ANON_MAPPED`).
    /// - Complexity: O(frames).
    public var anonMappedPages: Int {
        frames.frames.indices.reduce(0) {
            $0 + ($1 != zeroPfn && frames[$1].mapcount > 0 && frames[$1].file < 0 ? (frames[$1].order == 9 ? Machine.hugePages : 1) : 0)
        }
    }

    /// Page-cache pages mapped at least once (`NR_FILE_MAPPED`).
    /// - Complexity: O(frames).
    public var fileMappedPages: Int { frames.frames.reduce(0) { $0 + ($1.mapcount > 0 && $1.file >= 0 ? 1 : 0) } }
    /// Page-cache pages (file pages; `NR_FILE_PAGES` adds the swap cache).
    /// - Complexity: O(files).
    public var pageCachePages: Int { files.reduce(0) { $0 + $1.cachedPages } }
    /// Shmem pages in memory (`NR_SHMEM`).
    /// - Complexity: O(files).
    public var shmemPages: Int { files.reduce(0) { $0 + ($1.shmem ? $1.cachedPages : 0) } }
    /// Dirty page-cache pages (`NR_FILE_DIRTY`).
    /// - Complexity: O(frames).
    public var fileDirtyPages: Int {
        frames.frames.reduce(0) { $0 + ($1.file >= 0 && $1.flags.contains(.dirty) && !$1.flags.contains(.swapBacked) ? 1 : 0) }
    }

    /// /proc/vmstat's lines for the counters the kernel model keeps, in the kernel's order.
    /// - Complexity: O(frames) (NR_ANON_MAPPED is counted).
    public var vmstatLines: [(String, Int)] {
        let s = vmstat
        let phys = memory.phys.stats
        let slabUnreclaimable = slub.slabPages
        return [
            ("nr_free_pages", memory.phys.freePagesTotal),
            ("nr_zone_inactive_anon", lruPages(.inactiveAnon)), ("nr_zone_active_anon", lruPages(.activeAnon)),
            ("nr_zone_inactive_file", lruPages(.inactiveFile)), ("nr_zone_active_file", lruPages(.activeFile)),
            ("nr_zone_unevictable", lruPages(.unevictable)),
            ("nr_inactive_anon", lruPages(.inactiveAnon)), ("nr_active_anon", lruPages(.activeAnon)),
            ("nr_inactive_file", lruPages(.inactiveFile)), ("nr_active_file", lruPages(.activeFile)),
            ("nr_unevictable", lruPages(.unevictable)),
            ("nr_slab_reclaimable", 0), ("nr_slab_unreclaimable", slabUnreclaimable),
            ("workingset_refault_anon", s.workingsetRefaultAnon), ("workingset_refault_file", s.workingsetRefaultFile),
            ("workingset_activate_anon", s.workingsetActivateAnon), ("workingset_activate_file", s.workingsetActivateFile),
            ("workingset_restore_anon", s.workingsetRestoreAnon), ("workingset_restore_file", s.workingsetRestoreFile),
            ("nr_anon_pages", anonMappedPages), ("nr_mapped", fileMappedPages), ("nr_file_pages", pageCachePages + swapCachedPages),
            ("nr_dirty", fileDirtyPages), ("nr_writeback", 0), ("nr_shmem", shmemPages),
            ("nr_anon_transparent_hugepages", anonHugePages), ("nr_vmscan_write", s.nrVmscanWrite),
            ("nr_written", s.nrWritten),
            ("nr_page_table_pages", memory.pageTablePages), ("nr_swapcached", swapCachedPages),
            ("pgpgin", s.pgpgin + 4 * s.pswpin), ("pgpgout", s.pgpgout + 4 * s.pswpout),
            ("pswpin", s.pswpin), ("pswpout", s.pswpout),
            ("pgalloc_normal", phys.pgalloc[ZoneType.normal.rawValue]),
            ("allocstall_normal", s.allocstallNormal),
            ("pgfree", phys.pgfree), ("pgactivate", s.pgactivate), ("pgdeactivate", s.pgdeactivate),
            ("pglazyfree", s.pglazyfree), ("pgfault", s.pgfault), ("pgmajfault", s.pgmajfault), ("pglazyfreed", s.pglazyfreed),
            ("pgrefill", s.pgrefill), ("pgreuse", s.pgreuse),
            ("pgsteal_kswapd", s.pgstealKswapd), ("pgsteal_direct", s.pgstealDirect),
            ("pgscan_kswapd", s.pgscanKswapd), ("pgscan_direct", s.pgscanDirect),
            ("pgscan_anon", s.pgscanAnon), ("pgscan_file", s.pgscanFile),
            ("pgsteal_anon", s.pgstealAnon), ("pgsteal_file", s.pgstealFile),
            ("pageoutrun", s.pageoutrun), ("pgrotated", s.pgrotated), ("oom_kill", s.oomKill),
            ("thp_fault_alloc", s.thpFaultAlloc), ("thp_fault_fallback", s.thpFaultFallback), ("thp_fault_fallback_charge", s.thpFaultFallbackCharge),
            ("thp_split_page", s.thpSplitPage), ("thp_split_pmd", s.thpSplitPMD),
            ("nr_tlb_remote_flush", s.nrTLBRemoteFlush), ("nr_tlb_remote_flush_received", s.nrTLBRemoteFlushReceived),
            ("nr_tlb_local_flush_all", s.nrTLBLocalFlushAll), ("nr_tlb_local_flush_one", s.nrTLBLocalFlushOne),
            ("balloon_inflate", s.balloonInflate), ("balloon_deflate", s.balloonDeflate),
            ("swap_ra", s.swapRa), ("swap_ra_hit", s.swapRaHit),
        ]
    }

    /// /proc/vmstat: `name value` per line.
    /// - Complexity: O(frames).
    public var procVmstat: String { vmstatLines.map { "\($0.0) \($0.1)\n" }.joined() }

    /// `si_mem_available`: free pages less the reserves (each zone's largest lowmem reserve plus
    /// its high watermark), plus the page cache and reclaimable slab the kernel could drop.
    var memAvailablePages: Int {
        let reserve = memory.phys.zones.reduce(0) { $0 + ($1.lowmemReserve.max() ?? 0) + $1.watermarks.high }
        let low = memory.phys.zones.reduce(0) { $0 + $1.watermarks.low }
        let pagecache = lruPages(.inactiveFile) + lruPages(.activeFile)
        return max(0, memory.phys.freePagesTotal - reserve + pagecache - min(pagecache / 2, low))
    }

    /// `Committed_AS`: pages of private writable mappings (VM_ACCOUNT), over every address space.
    var committedPages: Int {
        mms.reduce(0) { total, mm in
            total + (mm?.vmas.vmas.reduce(0) { $0 + ($1.flags.contains(.write) && !$1.flags.contains(.shared) ? Int($1.length >> 12) : 0) } ?? 0)
        }
    }

    /// /proc/meminfo's lines (name, kB) for what the model has, in the kernel's order.
    /// - Complexity: O(frames + VMAs).
    public var meminfoLines: [(String, Int)] {
        let kb = { (pages: Int) in pages * 4 }
        let file = pageCachePages
        let dirty = fileDirtyPages
        let swapTotal = swap?.totalPages ?? 0, swapFree = swap?.freePages ?? 0
        return [
            ("MemTotal", kb(memory.phys.totalPages)), ("MemFree", kb(memory.phys.freePagesTotal)),
            ("MemAvailable", kb(memAvailablePages)), ("Buffers", 0), ("Cached", kb(file)), ("SwapCached", kb(swapCachedPages)),
            ("Active", kb(lruPages(.activeAnon) + lruPages(.activeFile))),
            ("Inactive", kb(lruPages(.inactiveAnon) + lruPages(.inactiveFile))),
            ("Active(anon)", kb(lruPages(.activeAnon))), ("Inactive(anon)", kb(lruPages(.inactiveAnon))),
            ("Active(file)", kb(lruPages(.activeFile))), ("Inactive(file)", kb(lruPages(.inactiveFile))),
            ("Unevictable", kb(lruPages(.unevictable))), ("Mlocked", 0),
            ("SwapTotal", kb(swapTotal)), ("SwapFree", kb(swapFree)),
            ("Dirty", kb(dirty)), ("Writeback", 0), ("AnonPages", kb(anonMappedPages)), ("Mapped", kb(fileMappedPages)), ("Shmem", kb(shmemPages)),
            ("KReclaimable", 0), ("Slab", kb(slub.slabPages)), ("SReclaimable", 0), ("SUnreclaim", kb(slub.slabPages)),
            ("PageTables", kb(memory.pageTablePages)),
            ("CommitLimit", kb(swapTotal + memory.phys.totalPages * 50 / 100)), ("Committed_AS", kb(committedPages)),
            ("AnonHugePages", anonHugePages * 2048),
        ]
    }

    /// /proc/meminfo: `Name:` padded to 16 columns, the kB value in 8, ` kB`.
    /// - Complexity: O(frames + VMAs).
    public var procMeminfo: String {
        meminfoLines.map { ProcFiles.left($0.0 + ":", 16) + ProcFiles.right($0.1, 8) + " kB\n" }.joined()
    }

    /// /proc/PID/maps (`show_map_vma`): `start-end perms offset dev inode`, padded to column 73 for
    /// the name: `[heap]`, `[anon:NAME]` for a named anonymous mapping (PR_SET_VMA_ANON_NAME).
    /// - Complexity: O(VMAs).
    public func procMaps(_ pid: Int) -> String? {
        guard let mm = mm(of: pid) else { return nil }
        var out = ""
        for vma in mm.vmas.vmas {
            let offset = vma.isAnonymous ? 0 : vma.pgoff << 12
            // A file's device and inode: VMSim's files live on one device, 00:01, inode = id + 1.
            let device = vma.file.map { "00:01 \($0 + 1)" } ?? "00:00 0"
            var line = hex8(vma.start) + "-" + hex8(vma.end) + " " + vma.flags.mapsPerms + " " + hex8(offset) + " " + device + " "
            let name = mapsName(vma, mm)
            if !name.isEmpty { line = ProcFiles.left(line, 73) + name }
            out += line + "\n"
        }
        return out
    }

    public func mapsName(_ vma: VMA, _ mm: MMStruct) -> String {
        if vma.isAnonymous && mm.brk > mm.startBrk && vma.start >= mm.startBrk && vma.end <= mm.brk { return "[heap]" }
        if vma.name.isEmpty || vma.name.hasPrefix("[") { return vma.name }
        return vma.isAnonymous ? "[anon:\(vma.name)]" : (vma.name.hasPrefix("/") ? vma.name : "/" + vma.name)
    }

    func hex8(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return s.count >= 8 ? s : String(repeating: "0", count: 8 - s.count) + s
    }

    /// /proc/PID/status (`proc_pid_status` with `task_mem`): name, state, pids and the Vm lines.
    /// - Complexity: O(VMAs).
    public func procStatus(_ pid: Int) -> String? {
        guard let mm = mm(of: pid) else { return nil }
        let t = task(pid)
        let kb = { (label: String, pages: Int) in label + ":\t" + ProcFiles.right(pages * 4, 8) + " kB\n" }
        var out = "Name:\t\(t.name)\nState:\tR (running)\nTgid:\t\(pid)\nPid:\t\(pid)\nThreads:\t1\n"
        out += kb("VmPeak", max(mm.hiwaterVM, mm.totalVM)) + kb("VmSize", mm.totalVM) + kb("VmLck", 0) + kb("VmPin", 0)
        out += kb("VmHWM", max(mm.hiwaterRSS, mm.rss)) + kb("VmRSS", mm.rss) + kb("RssAnon", mm.anonPages)
        out += kb("RssFile", mm.filePages) + kb("RssShmem", mm.shmemPages)
        let data = mm.vmas.vmas.reduce(0) { $0 + ($1.flags.contains(.write) && !$1.flags.contains(.shared) ? Int($1.length >> 12) : 0) }
        out += kb("VmData", data) + kb("VmStk", 0) + kb("VmExe", 0) + kb("VmLib", 0)
        out += "VmPTE:\t" + ProcFiles.right(mm.table.tablePagesBelowRoot * 4, 8) + " kB\n" + kb("VmSwap", mm.swapEntries)
        return out
    }

    /// What /proc/PID/smaps_rollup adds up (`struct mem_size_stats`), in bytes; Pss with the
    /// kernel's PSS_SHIFT fixed point.
    public struct MemSizeStats: Hashable, Sendable {
        public var resident = 0, sharedClean = 0, sharedDirty = 0, privateClean = 0, privateDirty = 0
        public var referenced = 0, anonymous = 0, anonHugePages = 0, lazyFree = 0, swap = 0
        /// Proportional set sizes in bytes << 12 (PSS_SHIFT).
        public var pss = 0, pssDirty = 0, pssAnon = 0, pssFile = 0, swapPss = 0
    }

    /// `smaps_pte_entry` over every VMA of `pid` (the zero page is not a normal page: not counted).
    /// - Complexity: O(entries of the page table).
    public func memSizeStats(_ pid: Int) -> MemSizeStats? {
        guard let mm = mm(of: pid) else { return nil }
        let bits = config.format.bits
        var s = MemSizeStats()
        for vma in mm.vmas.vmas {
            mm.table.forEachLeaf(in: vma.start..<vma.end) { _, entry, level in
                if level < config.format.levels.count - 1 {
                    // smaps_pmd_entry: one huge page, 2M.
                    let f = frames[Int(bits.physicalAddress(entry) >> 12)]
                    let bytes = 4096 * Machine.hugePages
                    s.resident += bytes
                    s.anonymous += bytes
                    s.anonHugePages += bytes
                    if entry & bits.accessed != 0 { s.referenced += bytes }
                    let share = (bytes << 12) / max(1, Int(f.mapcount))
                    s.pss += share
                    s.pssAnon += share
                    let dirty = entry & bits.dirty != 0
                    if dirty { s.pssDirty += share }
                    if f.mapcount >= 2 {
                        if dirty { s.sharedDirty += bytes } else { s.sharedClean += bytes }
                    } else {
                        if dirty { s.privateDirty += bytes } else { s.privateClean += bytes }
                    }
                    return
                }
                if entry & bits.present == 0 {
                    s.swap += 4096
                    if let swap {
                        let count = max(1, Int(swap.swapMap[SwapDevice.slot(entry: entry, format: config.format)]))
                        s.swapPss += (4096 << 12) / count
                    }
                    return
                }
                let pfn = Int(bits.physicalAddress(entry) >> 12)
                guard pfn != zeroPfn else { return }
                let f = frames[pfn]
                let dirty = entry & bits.dirty != 0 || f.flags.contains(.dirty)
                let young = entry & bits.accessed != 0 || f.flags.contains(.referenced)
                s.resident += 4096
                if young { s.referenced += 4096 }
                let share = (4096 << 12) / max(1, Int(f.mapcount))
                s.pss += share
                if f.file >= 0 {
                    s.pssFile += share
                } else {
                    s.anonymous += 4096
                    s.pssAnon += share
                    if !f.flags.contains(.swapBacked) { s.lazyFree += 4096 }
                }
                if dirty { s.pssDirty += share }
                if f.mapcount >= 2 {
                    if dirty { s.sharedDirty += 4096 } else { s.sharedClean += 4096 }
                } else {
                    if dirty { s.privateDirty += 4096 } else { s.privateClean += 4096 }
                }
            }
        }
        return s
    }

    /// /proc/PID/smaps_rollup (`show_smaps_rollup`): the header spanning every VMA, then
    /// `__show_smap`'s lines.
    /// - Complexity: O(entries of the page table).
    public func procSmapsRollup(_ pid: Int) -> String? {
        guard let mm = mm(of: pid), let s = memSizeStats(pid) else { return nil }
        let first = mm.vmas.vmas.first?.start ?? 0, last = mm.vmas.vmas.last?.end ?? 0
        var out = ProcFiles.left(hex8(first) + "-" + hex8(last) + " ---p 00000000 00:00 0 ", 73) + "[rollup]\n"
        let line = { (label: String, bytes: Int) in ProcFiles.left(label + ":", 16) + ProcFiles.right(bytes >> 10, 8) + " kB\n" }
        out += line("Rss", s.resident) + line("Pss", s.pss >> 12) + line("Pss_Dirty", s.pssDirty >> 12)
        out += line("Pss_Anon", s.pssAnon >> 12) + line("Pss_File", s.pssFile >> 12) + line("Pss_Shmem", 0)
        out += line("Shared_Clean", s.sharedClean) + line("Shared_Dirty", s.sharedDirty)
        out += line("Private_Clean", s.privateClean) + line("Private_Dirty", s.privateDirty)
        out += line("Referenced", s.referenced) + line("Anonymous", s.anonymous) + line("KSM", 0) + line("LazyFree", s.lazyFree)
        out += line("AnonHugePages", s.anonHugePages) + line("ShmemPmdMapped", 0) + line("FilePmdMapped", 0)
        out += line("Shared_Hugetlb", 0) + line("Private_Hugetlb", 0)
        out += line("Swap", s.swap) + line("SwapPss", s.swapPss >> 12) + line("Locked", 0)
        return out
    }
}
