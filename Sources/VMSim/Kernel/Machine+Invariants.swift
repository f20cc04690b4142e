extension Machine: InvariantChecking {
    /// The whole machine is consistent: pages conserved (free + per-CPU + LRU pages + page tables
    /// + slab + the zero page = total); each page's mapcount the number of entries mapping it;
    /// each swap slot's count the number of swap entries naming it; each address space's RSS
    /// and swap counters its entries; every mapped page inside a VMA and holding what was last
    /// written there; and the invariants of every part (buddy allocator, SLUB, LRU lists, page
    /// tables, VMAs).
    /// - Complexity: O(frames + swap slots + entries of every page table).
    public func checkInvariants() -> [String] {
        var v = Violations()
        let phys = memory.phys
        v.check(phys.freePagesTotal + phys.pcpPages + phys.allocatedPages == phys.totalPages,
                "free \(phys.freePagesTotal) + per-CPU \(phys.pcpPages) + allocated \(phys.allocatedPages) != total \(phys.totalPages)")
        let onLRU = lru.totalPages
        let tables = mms.reduce(0) { $0 + ($1?.table.tablePages ?? 0) }
        v.check(tables == memory.pageTablePages, "page tables hold \(tables) pages, the kernel counts \(memory.pageTablePages)")
        v.check(phys.allocatedPages == onLRU + memory.pageTablePages + slub.slabPages + balloon.count + 1,
                "allocated \(phys.allocatedPages) != LRU \(onLRU) + page tables \(memory.pageTablePages) + slab \(slub.slabPages) + balloon \(balloon.count) + zero page 1")
        let bits = config.format.bits
        var mapcount = [Int32](repeating: 0, count: frames.frames.count)
        var swapCount = [Int](repeating: 0, count: swap?.slots ?? 0)
        for (i, space) in mms.enumerated() {
            guard let space else { continue }
            var anon = 0, file = 0, shmem = 0, swapped = 0
            space.table.forEachLeaf(in: 0..<(UInt64(1) << UInt64(config.format.virtualBits - 1))) { address, entry, level in
                if space.vmas.lookup(address) == nil { v.report("mm \(i): an entry at 0x\(String(address, radix: 16)) outside every VMA") }
                if level < config.format.levels.count - 1 {
                    let head = Int(bits.physicalAddress(entry) >> 12)
                    v.check(frames[head].order == 9, "mm \(i): a huge entry at 0x\(String(address, radix: 16)) maps a page of order \(frames[head].order)")
                    v.check(space.vmas.lookup(address + Machine.hugeSize - 1) != nil, "mm \(i): a huge page past its VMA")
                    mapcount[head] += 1
                    anon += Machine.hugePages
                    for sub in 0..<Machine.hugePages {
                        let expected = space.shadow[(address >> 12) + UInt64(sub)] ?? 0
                        if frames[head + sub].content != expected { v.report("mm \(i): huge page 0x\(String(address, radix: 16)) subpage \(sub) holds the wrong content"); break }
                    }
                    return
                }
                if entry & bits.present != 0 {
                    let pfn = Int(bits.physicalAddress(entry) >> 12)
                    guard pfn != zeroPfn else {
                        v.check(entry & bits.writable == 0, "mm \(i): the zero page mapped writable")
                        return
                    }
                    mapcount[pfn] += 1
                    if frames[pfn].file >= 0 {
                        if files[Int(frames[pfn].file)].shmem { shmem += 1 } else { file += 1 }
                        let f = files[Int(frames[pfn].file)]
                        v.check(frames[pfn].content == f.expected(frames[pfn].index),
                                "mm \(i): file page 0x\(String(address, radix: 16)) holds the wrong content")
                        return
                    }
                    anon += 1
                    let expected = space.shadow[address >> 12] ?? 0
                    v.check(frames[pfn].content == expected, "mm \(i): page 0x\(String(address, radix: 16)) holds the wrong content")
                } else {
                    let slot = SwapDevice.slot(entry: entry, format: config.format)
                    if slot > 0 && slot < swapCount.count { swapCount[slot] += 1 } else { v.report("mm \(i): a swap entry for slot \(slot)") }
                    swapped += 1
                }
            }
            v.check(anon == space.anonPages, "mm \(i): \(anon) anonymous pages mapped, MM_ANONPAGES \(space.anonPages)")
            v.check(file == space.filePages, "mm \(i): \(file) file pages mapped, MM_FILEPAGES \(space.filePages)")
            v.check(shmem == space.shmemPages, "mm \(i): \(shmem) shmem pages mapped, MM_SHMEMPAGES \(space.shmemPages)")
            v.check(swapped == space.swapEntries, "mm \(i): \(swapped) swap entries, MM_SWAPENTS \(space.swapEntries)")
            for p in space.table.checkInvariants() { v.report("mm \(i) page table: \(p)") }
            for p in space.vmas.checkInvariants() { v.report("mm \(i) VMAs: \(p)") }
        }
        for pfn in frames.frames.indices where pfn != zeroPfn {
            let f = frames[pfn]
            if f.mapcount != mapcount[pfn] { v.report("pfn \(pfn): mapcount \(f.mapcount), mapped \(mapcount[pfn]) times") }
            if f.flags.contains(.lru) != lru.isOnList(Int32(pfn)) { v.report("pfn \(pfn): PG_lru and the LRU lists disagree") }
            if f.mapcount == 0 && f.flags.contains(.lru) && !f.flags.contains(.swapCache) && f.file < 0 {
                v.report("pfn \(pfn): an unmapped anonymous page outside the swap cache")
            }
            if f.file >= 0 && files[Int(f.file)].cache[f.index] != Int32(pfn) { v.report("pfn \(pfn): a file page its file's cache does not hold") }
        }
        for f in files where f.shmem {
            for (_, slot) in f.swapped where slot < swapCount.count { swapCount[slot] += 1 }
        }
        if let swap {
            var used = 0
            for slot in 1..<swap.slots {
                if Int(swap.swapMap[slot]) != swapCount[slot] { v.report("swap slot \(slot): swap_map \(swap.swapMap[slot]), \(swapCount[slot]) entries") }
                if swap.swapMap[slot] > 0 || swap.cached[slot] { used += 1 }
                if let pfn = swap.cache[slot], frames[pfn].swap != UInt32(slot) { v.report("swap slot \(slot): cached page \(pfn) names slot \(frames[pfn].swap)") }
            }
            v.check(used == swap.inUse, "\(used) swap slots in use, counted \(swap.inUse)")
        }
        for (id, f) in files.enumerated() {
            for page in f.cache.keys {
                let pfn = Int(f.cache[page]!)
                if frames[pfn].file != Int32(id) || frames[pfn].index != page { v.report("file \(f.name) page \(page): cached pfn \(pfn) is not that page") }
            }
        }
        for p in phys.checkInvariants() { v.report("buddy: \(p)") }
        for p in slub.checkInvariants() { v.report("slub: \(p)") }
        for p in lru.checkInvariants() { v.report("lru: \(p)") }
        if memory.memcg.active { checkMemcgCharges(&v) }
        for (content, pages) in ksm.stable {
            for pfn in pages {
                v.check(frames[pfn].flags.contains(.ksm) && frames[pfn].content == content, "KSM: stable page \(pfn) is not a KSM page of its content")
                // Merges stop at max_page_sharing; fork may map a KSM page more often still.
                v.check(frames[pfn].mapcount >= 1, "KSM: page \(pfn) has \(frames[pfn].mapcount) mappings")
            }
        }
        let ksmPages = frames.frames.indices.filter { frames[$0].flags.contains(.ksm) }.count
        v.check(ksmPages == ksm.stable.values.reduce(0) { $0 + $1.count }, "KSM: \(ksmPages) KSM pages, the stable tree holds \(ksm.stable.values.reduce(0) { $0 + $1.count })")
        return v.all
    }
}

extension Machine {
    /// Every cgroup's memory.current is what is charged to it and below it: its user pages (the
    /// frames whose LRU group it is), page tables, slab pages and per-CPU stock; memory.swap.current
    /// the swap slots charged to it and below.
    func checkMemcgCharges(_ v: inout Violations) {
        let mc = memory.memcg
        var local = [Int](repeating: 0, count: mc.cgroups.count), swapLocal = local
        for pfn in frames.frames.indices { local[lru.group(of: Int32(pfn))] += 1 }
        for (g, c) in mc.cgroups.enumerated() where g != 0 { local[g] += c.pageTables + c.slabPages }
        for s in mc.stocks where s.group != 0 { local[s.group] += s.pages }
        for g in swap?.slotGroup ?? [] where g != 0 { swapLocal[Int(g)] += 1 }
        let tables = memory.tableOwner.indices.reduce(into: [Int](repeating: 0, count: mc.cgroups.count)) { $0[Int(memory.tableOwner[$1])] += 1 }
        for g in mc.cgroups.indices.dropFirst() {
            let members = mc.subtree(g)
            let charged = members.reduce(0) { $0 + local[$1] }, swapped = members.reduce(0) { $0 + swapLocal[$1] }
            v.check(mc.cgroups[g].usage == charged, "cgroup \(mc.cgroups[g].name): memory.current \(mc.cgroups[g].usage) pages, but \(charged) are charged to it and below")
            v.check(mc.cgroups[g].swapUsage == swapped, "cgroup \(mc.cgroups[g].name): memory.swap.current \(mc.cgroups[g].swapUsage) pages, but \(swapped) slots are charged")
            v.check(mc.cgroups[g].pageTables == tables[g], "cgroup \(mc.cgroups[g].name): \(mc.cgroups[g].pageTables) page-table pages counted, \(tables[g]) owned")
        }
    }
}
