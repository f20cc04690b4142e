/// Files and the page cache (mm/filemap.c, mm/readahead.c): a file's pages live in the page cache
/// (`address_space->i_pages`), shared by every process that maps the file. A mapping fault first
/// maps the cached pages around it (`do_fault_around`, fault_around_bytes = 64K, read faults
/// only); a page not in the cache is a major fault that reads the mmap read-around window
/// (`do_sync_mmap_readahead`: read_ahead_kb = 128K, centred on the fault) from the file. A
/// private mapping's write copies the page to anonymous memory (`do_cow_fault`, `wp_page_copy`);
/// a shared mapping's write dirties the cached page (`do_shared_fault`, `wp_page_shared`, pages
/// mapped read-only until written for dirty tracking), written back by reclaim or msync.
///
/// Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) is a shmem file of its own (mm/shmem.c,
/// `shmem_zero_setup`, shown as `/dev/zero (deleted)`): its pages start zeroed, are swap-backed
/// (on the anonymous LRU lists, MM_SHMEMPAGES, Shmem in meminfo) and go to swap under pressure,
/// the slot kept in the file's place (`shmem_writeout`, `shmem_swapin_folio`); the file goes away
/// with its last mapping.
public struct SimFile: Sendable {
    /// The name the workload gave it.
    public let name: String
    /// Its size in pages.
    public internal(set) var pages: Int
    /// The page cache: file page → pfn.
    var cache = PageMap<Int32>(expectedCount: 64)
    /// What is on disk per page (absent: the page's initial content, `initialContent`).
    var disk = PageMap<UInt64>(expectedCount: 64)
    /// Shadow entries left where evicted pages were (`workingset_eviction`), by file page.
    var shadows = PageMap<UInt64>(expectedCount: 16)
    /// What each page should hold now, through every shared write (absent: the disk's).
    var shadow = PageMap<UInt64>(expectedCount: 64)
    let id: Int
    /// A shmem object (shared anonymous memory) rather than a file on disk.
    public let shmem: Bool
    /// Shmem pages in swap: file page → swap slot.
    var swapped: [UInt64: Int] = [:]

    init(name: String, pages: Int, id: Int, shmem: Bool = false) {
        self.name = name
        self.pages = pages
        self.id = id
        self.shmem = shmem
    }

    /// The content token of a page never written: the file's own data (zeroes for shmem).
    func initialContent(_ page: UInt64) -> UInt64 { shmem ? 0 : 1 << 62 | UInt64(id) << 40 | page }
    /// What a page should hold now.
    func expected(_ page: UInt64) -> UInt64 {
        let s = shadow.find(page)
        if s != .max { return s }
        let d = disk.find(page)
        return d != .max ? d : initialContent(page)
    }
    /// Pages in the page cache.
    public var cachedPages: Int { cache.count }
}

extension Machine {
    /// `fault_around_bytes` in pages (64K).
    public static let faultAroundPages = 16
    /// `read_ahead_kb` in pages (128K).
    public static let readAheadPages = 32

    /// Creates a file of `size` bytes (rounded up to pages), its data on the simulated disk.
    /// Returns its id.
    /// - Complexity: O(1).
    public mutating func createFile(name: String, size: UInt64) -> Int {
        let id = files.count
        files.append(SimFile(name: name, pages: Int((size + 4095) >> 12), id: id))
        return id
    }

    /// Grows file `id` to `size` bytes (a write past its end, `ftruncate` up): the new pages read
    /// their initial content.
    /// - Complexity: O(1).
    public mutating func extendFile(_ id: Int, to size: UInt64) {
        files[id].pages = max(files[id].pages, Int((size + 4095) >> 12))
    }

    /// `mmap(addr, length, prot, MAP_PRIVATE or MAP_SHARED, fd, offset)` of file `file`.
    /// - Throws: `.errno` (ENOMEM, EINVAL for an offset not page-aligned or a bad file).
    /// - Complexity: O(VMAs).
    @discardableResult
    public mutating func mmap(_ pid: Int, file: Int, offset: UInt64 = 0, at address: UInt64? = nil, length: UInt64,
                              protection: VMAFlags, shared: Bool, name: String? = nil) throws(KernelError) -> UInt64 {
        let t = try running(pid)
        enter(t)
        guard file >= 0 && file < files.count, offset & 4095 == 0 else { throw .errno(.invalid("a bad file or offset")) }
        let mm = tasks[t].mm
        if let address { try munmap(pid, address, length: length) }
        return try mmapRegion(mm, at: address, length: length, flags: .mmap(protection, shared: shared), file: file,
                              pgoff: offset >> 12, name: name ?? files[file].name)
    }

    /// The file pages a fault in `vma` at `address` concerns.
    func filePage(_ vma: VMA, _ address: UInt64) -> UInt64 { vma.pgoff + ((address - vma.start) >> 12) }

    /// `__do_fault` on a file VMA with an empty entry: fault-around for reads, then the page from
    /// the cache (a minor fault) or the file (a major one), mapped, or copied for a private write.
    mutating func doFileFault(t: Int, mm: Int, vma: VMA, address: UInt64, write: Bool, major: inout Bool) -> FaultResult {
        let file = vma.file!
        let page = filePage(vma, address)
        guard page < UInt64(files[file].pages) else { return segfault(t, address, .sigbus) }   // past EOF: SIGBUS
        if !write {
            faultAround(mm: mm, vma: vma, address: address)
            if let e = mms[mm]!.table.leaf(at: address)?.entry, e != 0 { return .retry }
        }
        guard let pfn = findOrReadPage(t: t, file: file, page: page, major: &major) else { return .killed(tasks[t].signal ?? .oomKill) }
        guard mms[mm] != nil, (mms[mm]!.table.leaf(at: address)?.entry ?? 0) == 0 else { return .retry }
        if write && !vma.flags.contains(.shared) {
            // do_cow_fault: a private copy in anonymous memory.
            return copyToAnon(t: t, mm: mm, vma: vma, address: address, from: pfn, unmapOld: false)
        }
        let dirty = write && vma.flags.contains(.shared)
        guard installEntry(mm: mm, address: address, entry: userEntry(pfn: pfn, vma: vma, writable: dirty, dirty: dirty)) else {
            return .killed(tasks[t].signal ?? .oomKill)
        }
        guard mms[mm] != nil else { return .killed(tasks[t].signal ?? .oomKill) }
        frames[pfn].mapcount += 1
        if dirty { frames[pfn].flags.insert(.dirty) }
        fileRSS(mm, pfn, 1)
        return .retry
    }

    /// A private copy of `from` at `address` (`wp_page_copy`): a new anonymous page with the
    /// same content, mapped writable; the old mapping of `from` is dropped when `unmapOld`.
    mutating func copyToAnon(t: Int, mm: Int, vma: VMA, address: UInt64, from: Int, unmapOld: Bool) -> FaultResult {
        guard let pfn = allocUserPage(for: t) else { return .killed(tasks[t].signal ?? .oomKill) }
        guard mms[mm] != nil else { freePage(pfn); return .killed(tasks[t].signal ?? .oomKill) }
        newAnonPage(pfn, mm: mm, address: address, content: frames[from].content)
        // The private copy holds the file's data now; what this address space should read there
        // is that copy until it writes.
        mms[mm]!.shadow.set(address >> 12, frames[from].content)
        let entry = userEntry(pfn: pfn, vma: vma, writable: true, dirty: true)
        guard installEntry(mm: mm, address: address, entry: entry), mms[mm] != nil else {
            freePage(pfn)
            return .killed(tasks[t].signal ?? .oomKill)
        }
        mms[mm]!.anonPages += 1
        tasks[t].cowFaults += 1
        if unmapOld {
            fileRSS(mm, from, -1)
            frames[from].mapcount -= 1
        }
        flushTLB(mm: mm, pages: [address])
        return .retry
    }

    /// `do_fault_around` → `filemap_map_pages`: the cached pages of the aligned 64K window around
    /// `address` (inside the VMA and its PMD) with empty entries are mapped read-only.
    mutating func faultAround(mm: Int, vma: VMA, address: UInt64) {
        let window = UInt64(Self.faultAroundPages) << 12
        let pmd: UInt64 = 2 << 20
        let start = max(address & ~(window - 1), vma.start, address & ~(pmd - 1))
        let end = min((address & ~(window - 1)) + window, vma.end, (address & ~(pmd - 1)) + pmd)
        let file = vma.file!
        var a = start
        while a < end {
            let page = filePage(vma, a)
            let cached = page < UInt64(files[file].pages) ? files[file].cache.find(page) : .max
            if cached != .max, (mms[mm]!.table.leaf(at: a)?.entry ?? 0) == 0 {
                let pfn = Int(cached)
                // The tables exist for the faulting address's PMD; no allocation happens here.
                if (try? mms[mm]!.table.setLeaf(a, entry: userEntry(pfn: pfn, vma: vma, writable: false, dirty: false), memory: &memory)) != nil {
                    frames[pfn].mapcount += 1
                    fileRSS(mm, pfn, 1)
                }
            }
            a += 4096
        }
    }

    /// `filemap_fault`: the page from the page cache, or a major fault reading the read-around
    /// window (`do_sync_mmap_readahead`) into it. Nil when the task was killed waiting for memory.
    mutating func findOrReadPage(t: Int, file: Int, page: UInt64, major: inout Bool) -> Int? {
        let cached = files[file].cache.find(page)
        if cached != .max { return Int(cached) }
        if files[file].shmem { return shmemGetFolio(t: t, file: file, page: page, major: &major) }
        major = true
        guard let pfn = allocUserPage(for: t) else { return nil }
        let raced = files[file].cache.find(page)
        if raced != .max { freePageToBuddy(pfn); return Int(raced) }
        addToPageCache(pfn, file: file, page: page)
        // Read-around: ra_pages centred on the fault, in the file, pages not cached yet, while
        // memory is free above the low watermark (readahead never reclaims).
        let ra = UInt64(Self.readAheadPages)
        let first = page >= ra / 2 ? page - ra / 2 : 0
        let last = min(first + ra, UInt64(files[file].pages))
        let g = memcg(ofMM: tasks[t].mm)
        for p in first..<last where p != page && files[file].cache.find(p) == .max {
            guard let extra = allocReadaheadPage(for: t, g) else { break }
            addToPageCache(extra, file: file, page: p)
        }
        return pfn
    }

    /// `shmem_get_folio`: a shmem page in swap is read back (a major fault, the slot freed),
    /// otherwise a zeroed page is added (a minor fault).
    mutating func shmemGetFolio(t: Int, file: Int, page: UInt64, major: inout Bool) -> Int? {
        let slot = files[file].swapped[page]
        if slot != nil { major = true }
        guard let pfn = allocUserPage(for: t) else { return nil }
        let raced = files[file].cache.find(page)
        if raced != .max { freePageToBuddy(pfn); return Int(raced) }
        guard let slot = files[file].swapped[page] else {
            addToPageCache(pfn, file: file, page: page, content: 0)
            return pfn
        }
        let token: UInt64?
        do throws(KernelError) { token = try swap!.readPage(slot) } catch {
            swapError = error.description
            freePageToBuddy(pfn)
            return nil
        }
        vmstat.pswpin += 1
        files[file].swapped[page] = nil
        swap!.swapMap[slot] = 0
        releaseSwapSlot(slot)
        addToPageCache(pfn, file: file, page: page, content: token ?? .max)
        return pfn
    }

    /// A page read from the file into the cache (`filemap_add_folio`, to the inactive file list;
    /// a shmem page to the inactive anon list), its content checked against what the file should hold.
    mutating func addToPageCache(_ pfn: Int, file: Int, page: UInt64, content given: UInt64? = nil) {
        let d = files[file].disk.find(page)
        let content = given ?? (d != .max ? d : files[file].initialContent(page))
        let shmem = files[file].shmem
        frames[pfn] = PageFrames.Frame(flags: shmem ? [.lru, .swapBacked] : [.lru], mapcount: 0, anonVma: -1, swap: 0, index: page, content: content)
        frames[pfn].file = Int32(file)
        folioAddLRU(pfn)
        files[file].cache.insert(page, Int32(pfn))
        if let shadow = files[file].shadows.remove(page) { workingsetRefault(pfn, shadow: shadow) }
        if !shmem { vmstat.pgpgin += 4 }
        pagesVerified += 1
        if content != files[file].expected(page) { mismatches += 1 }
    }

    /// MM_FILEPAGES or MM_SHMEMPAGES of `mm` for page-cache page `pfn`, by `delta`.
    mutating func fileRSS(_ mm: Int, _ pfn: Int, _ delta: Int) {
        if files[Int(frames[pfn].file)].shmem { mms[mm]!.shmemPages += delta } else { mms[mm]!.filePages += delta }
    }

    /// `shmem_zero_setup`: the shmem object behind a shared anonymous mapping of `length` bytes.
    mutating func shmemZeroSetup(length: UInt64) -> Int {
        let id = files.count
        files.append(SimFile(name: "dev/zero (deleted)", pages: Int((length + 4095) >> 12), id: id, shmem: true))
        return id
    }

    /// `shmem_writeout`: a shmem page goes to swap, its slot kept in the file's place; false when
    /// swap is full or the write failed.
    mutating func shmemWriteout(_ pfn: Int) -> Bool {
        guard swap != nil else { return false }
        tryToUnmapFile(pfn)
        guard frames[pfn].mapcount == 0, let slot = allocSwapSlot(for: pfn) else { return false }
        do throws(KernelError) { try swap!.writePage(slot, token: frames[pfn].content) } catch {
            swapError = error.description
            releaseSwapSlot(slot)
            return false
        }
        swap!.swapMap[slot] = 1
        vmstat.pswpout += 1
        let file = Int(frames[pfn].file)
        files[file].swapped[frames[pfn].index] = slot
        removeFromPageCache(pfn)
        return true
    }

    /// Frees the shmem objects of `candidates` that no VMA maps any more (`shmem_evict_inode`):
    /// their cached pages and their swap slots.
    mutating func releaseUnmappedShmem(_ candidates: Set<Int>) {
        for file in candidates where files[file].shmem {
            let mapped = mms.contains { $0?.vmas.vmas.contains { $0.file == file } ?? false }
            guard !mapped else { continue }
            for page in files[file].cache.keys { removeFromPageCache(Int(files[file].cache[page]!)) }
            for (_, slot) in files[file].swapped {
                swap!.swapMap[slot] = 0
                releaseSwapSlot(slot)
            }
            files[file].swapped = [:]
            files[file].shadow.removeAll()
        }
    }

    /// A page that never joined anything goes back to the buddy allocator, uncharged.
    mutating func freePageToBuddy(_ pfn: Int, pages: Int = 1) {
        if memory.memcg.active { unchargePage(pfn, pages: pages) }
        memory.phys.freePages(pfn: pfn, cpu: currentCPU)
    }

    /// The page leaves the page cache and is freed (`__filemap_remove_folio`).
    mutating func removeFromPageCache(_ pfn: Int) {
        let file = Int(frames[pfn].file)
        files[file].cache.remove(frames[pfn].index)
        freePage(pfn)
    }

    /// Writes a dirty cached page back to the file (`writepage`).
    mutating func writeBack(_ pfn: Int) {
        let file = Int(frames[pfn].file)
        files[file].disk.set(frames[pfn].index, frames[pfn].content)
        frames[pfn].flags.remove(.dirty)
        vmstat.pgpgout += 4
        vmstat.nrWritten += 1
    }

    /// Calls `body(mm, address)` for each mapping of file page `pfn` (`rmap_walk_file` over the
    /// file's `i_mmap`: every VMA of the file covering the page whose entry maps it).
    func rmapWalkFile(_ pfn: Int, _ body: (Int, UInt64) -> Void) {
        let file = Int(frames[pfn].file), page = frames[pfn].index
        let bits = config.format.bits
        for (i, space) in mms.enumerated() {
            guard let space else { continue }
            for vma in space.vmas.vmas where vma.file == file && page >= vma.pgoff && page < vma.pgoff + (vma.length >> 12) {
                let address = vma.start + ((page - vma.pgoff) << 12)
                guard let e = space.table.leaf(at: address)?.entry, e & bits.present != 0,
                      Int(bits.physicalAddress(e) >> 12) == pfn else { continue }
                body(i, address)
            }
        }
    }

    /// `msync(start, length, MS_SYNC)`: every dirty page of the range's shared file mappings is
    /// written back and write-protected again (`folio_mkclean`), so the next write dirties it anew.
    /// - Complexity: O(pages in the range).
    public mutating func msync(_ pid: Int, _ start: UInt64, length: UInt64) throws(KernelError) {
        let t = try running(pid)
        enter(t)
        let mm = tasks[t].mm
        let end = start + ((length + 4095) & ~4095)
        let bits = config.format.bits
        for vma in mms[mm]!.vmas.vmas where vma.end > start && vma.start < end && vma.file != nil && vma.flags.contains(.shared)
            && !files[vma.file!].shmem {
            var pages: [(UInt64, Int)] = []
            mms[mm]!.table.forEachLeaf(in: max(start, vma.start)..<min(end, vma.end)) { a, e, _ in
                if e & bits.present != 0 { pages.append((a, Int(bits.physicalAddress(e) >> 12))) }
            }
            for (_, pfn) in pages where !frames[pfn].flags.contains(.anon) {
                var dirty = frames[pfn].flags.contains(.dirty)
                var mappings: [(Int, UInt64)] = []
                rmapWalkFile(pfn) { m, a in mappings.append((m, a)) }
                for (m, a) in mappings {
                    let old = mms[m]!.table.updateLeaf(a) { $0 & ~(bits.dirty | bits.writable) } ?? 0
                    if old & bits.dirty != 0 { dirty = true }
                    flushTLB(mm: m, pages: [a])
                }
                if dirty {
                    frames[pfn].flags.insert(.dirty)
                    writeBack(pfn)
                }
            }
        }
        check()
    }
}
