/// Kernel samepage merging, as mm/ksm.c does it: `madvise(MADV_MERGEABLE)` registers an address
/// space with ksmd (`__ksm_enter`, an `mm_slot`) and marks the VMAs VM_MERGEABLE; each full scan
/// (`ksm_do_scan` → `scan_get_next_rmap_item`, address spaces in registration order, pages in
/// address order) runs `cmp_and_merge_page` on every present anonymous page: merged into an
/// identical KSM page of the stable tree when one has room (`stable_tree_search`,
/// `try_to_merge_with_ksm_page`, at most `max_page_sharing` = 256 mappings a page, more start a
/// new page of the chain); otherwise its checksum is compared with the last scan's (`calc_checksum`:
/// a page seen for the first time, or changed, is only checksummed, so the first full scan merges
/// nothing) and then looked up in the unstable tree of this scan (`unstable_tree_search_insert`):
/// an identical page found there and this one become one write-protected KSM page
/// (`try_to_merge_two_pages`, `stable_tree_insert`), the duplicate freed. A write to a KSM page
/// copies it (`do_wp_page` never reuses one), so merged memory un-merges by copy-on-write with its
/// content intact. The counters are /sys/kernel/mm/ksm's.
extension Machine {
    /// `max_page_sharing`: mappings one KSM page may have.
    public static let ksmMaxPageSharing = 256

    /// /sys/kernel/mm/ksm: `pages_shared` (KSM pages in use), `pages_sharing` (the mappings
    /// beyond the first of each: the pages saved), `pages_unshared` (pages checked for merging, in
    /// the last scan's unstable tree), `pages_volatile` (pages changing too fast, or seen once),
    /// `full_scans`.
    /// - Complexity: O(pages ksmd tracks).
    public var ksmStats: KSMStats {
        var s = KSMStats()
        s.fullScans = ksm.fullScans
        var stableItems = 0
        for item in ksm.items.values {
            switch item.state {
            case .stable: stableItems += 1
            case .unstable: s.pagesUnshared += 1
            case .none: s.pagesVolatile += 1
            }
        }
        s.pagesShared = ksm.stable.values.reduce(0) { $0 + $1.count }
        s.pagesSharing = stableItems - s.pagesShared
        return s
    }

    /// /sys/kernel/mm/ksm's counters as `grep . /sys/kernel/mm/ksm/*` would print the ones VMSim
    /// keeps (name, then the value).
    public var ksmText: String {
        let s = ksmStats
        return "full_scans \(s.fullScans)\nmax_page_sharing \(Self.ksmMaxPageSharing)\npages_shared \(s.pagesShared)\n"
            + "pages_sharing \(s.pagesSharing)\npages_unshared \(s.pagesUnshared)\npages_volatile \(s.pagesVolatile)\n"
    }

    /// `echo 1 > /sys/kernel/mm/ksm/run` until a full scan merges nothing new (at least two: the
    /// first only checksums). Returns the full scans made.
    /// - Complexity: O(scans × pages of the mergeable VMAs).
    @discardableResult
    public mutating func ksmRun(maxScans: Int = 64) -> Int {
        var scans = 0
        while scans < maxScans {
            let merged = ksmFullScan()
            scans += 1
            if scans >= 2 && merged == 0 { break }
        }
        runKswapdIfWoken()
        check()
        return scans
    }

    /// `MADV_MERGEABLE` on the VMAs of the range (`ksm_madvise`, `__ksm_enter`).
    mutating func madviseMergeable(mm: Int, _ range: Range<UInt64>, mergeable: Bool) throws(KernelError) {
        let ranges = mms[mm]!.vmas.vmas.filter { $0.end > range.lowerBound && $0.start < range.upperBound }
            .map { (max($0.start, range.lowerBound), min($0.end, range.upperBound)) }
        for (a, b) in ranges {
            do throws(VMAError) {
                try mms[mm]!.vmas.modify(a, length: b - a) { v in
                    if mergeable { v.flags.insert(.mergeable) } else { v.flags.remove(.mergeable) }
                }
            } catch {
                throw .errno(error)
            }
        }
        syncVMAObjects(mm)
        if mergeable {
            if !ksm.slots.contains(mm) { ksm.slots.append(mm) }
        } else {
            // MADV_UNMERGEABLE → `break_ksm`: every KSM page in the range is copied back.
            var a = range.lowerBound
            while a < range.upperBound {
                if let leaf = mms[mm]!.table.leaf(at: a), leaf.level == config.format.levels.count - 1,
                   leaf.entry & config.format.bits.present != 0 {
                    let pfn = Int(config.format.bits.physicalAddress(leaf.entry) >> 12)
                    if frames[pfn].flags.contains(.ksm), let t = tasks.firstIndex(where: { $0.mm == mm && $0.state == .running }),
                       let vma = mms[mm]!.vmas.lookup(a) {
                        _ = copyKSMPage(t: t, mm: mm, vma: vma, address: a, entry: leaf.entry, writable: vma.flags.contains(.write))
                    }
                }
                a += 4096
            }
        }
    }

    /// One full scan of ksmd over every registered address space. Returns the pages merged.
    mutating func ksmFullScan() -> Int {
        let seq = ksm.fullScans &+ 1
        // The unstable tree is rebuilt each scan (`root_unstable_tree` emptied when a scan ends).
        for k in ksm.items.keys where ksm.items[k]!.state == .unstable { ksm.items[k]!.state = .none }
        var unstable: [UInt64: KSMKey] = [:]
        var merged = 0
        let bits = config.format.bits, leafLevel = config.format.levels.count - 1
        ksm.slots.removeAll { mms.indices.contains($0) == false || mms[$0] == nil }
        for mm in ksm.slots {
            for vma in mms[mm]!.vmas.vmas where vma.flags.contains(.mergeable) && vma.isAnonymous && !vma.flags.contains(.shared) {
                var a = vma.start
                while a < vma.end {
                    let address = a
                    a += 4096
                    guard let leaf = mms[mm]!.table.leaf(at: address), leaf.entry & bits.present != 0 else { continue }
                    guard leaf.level == leafLevel else {
                        // A huge page is left alone (the kernel splits it to merge its pages).
                        a = (address | (Self.hugeSize - 1)) + 1
                        continue
                    }
                    let pfn = Int(bits.physicalAddress(leaf.entry) >> 12)
                    guard pfn != zeroPfn, frames[pfn].file < 0 else { continue }
                    let key = KSMKey(mm: mm, page: address >> 12)
                    var item = ksm.items[key] ?? KSMItem()
                    item.seen = seq
                    defer { ksm.items[key] = item }
                    if frames[pfn].flags.contains(.ksm) {
                        // Already merged here, or a KSM page this address space got by fork.
                        item.state = .stable
                        continue
                    }
                    let content = frames[pfn].content
                    if let k = ksm.stable[content]?.first(where: { frames[$0].mapcount < Int32(Self.ksmMaxPageSharing) }) {
                        if replaceWithKSMPage(mm: mm, address: address, old: pfn, with: k) {
                            item.state = .stable
                            merged += 1
                            continue
                        }
                    }
                    item.state = .none
                    let checksum = Self.ksmChecksum(content)
                    guard item.oldChecksum == checksum else {
                        item.oldChecksum = checksum
                        continue
                    }
                    // A page mapped more than once (shared by fork) is not a candidate here.
                    guard frames[pfn].mapcount == 1, !frames[pfn].flags.contains(.swapCache) else { continue }
                    if let other = unstable[content], let otherPfn = ksmCandidate(other, content: content), otherPfn != pfn {
                        unstable[content] = nil
                        makeKSMPage(otherPfn, mm: other.mm, address: other.page << 12)
                        guard replaceWithKSMPage(mm: mm, address: address, old: pfn, with: otherPfn) else { continue }
                        ksm.items[other]!.state = .stable
                        item.state = .stable
                        merged += 1
                    } else {
                        unstable[content] = key
                        item.state = .unstable
                    }
                }
            }
        }
        // `remove_trailing_rmap_items`: pages no longer mapped in a mergeable VMA are forgotten.
        for k in ksm.items.keys where ksm.items[k]!.seen != seq { ksm.items[k] = nil }
        ksm.fullScans = seq
        return merged
    }

    /// `calc_checksum`: a hash of the page's content (never 0, the value a new rmap_item holds).
    static func ksmChecksum(_ content: UInt64) -> UInt64 {
        var z = content &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return z == 0 ? 1 : z
    }

    /// The page the unstable tree's item `key` maps, if it still holds `content` and may merge.
    func ksmCandidate(_ key: KSMKey, content: UInt64) -> Int? {
        guard mms.indices.contains(key.mm), let space = mms[key.mm], let leaf = space.table.leaf(at: key.page << 12),
              leaf.level == config.format.levels.count - 1, leaf.entry & config.format.bits.present != 0 else { return nil }
        let pfn = Int(config.format.bits.physicalAddress(leaf.entry) >> 12)
        guard pfn != zeroPfn, frames[pfn].file < 0, frames[pfn].content == content, frames[pfn].mapcount == 1,
              !frames[pfn].flags.contains(.ksm), !frames[pfn].flags.contains(.swapCache) else { return nil }
        return pfn
    }

    /// `try_to_merge_one_page` without a KSM page yet: `pfn` becomes one (`write_protect_page`,
    /// `folio_set_stable_node`), in the stable tree under its content.
    mutating func makeKSMPage(_ pfn: Int, mm: Int, address: UInt64) {
        let bits = config.format.bits
        mms[mm]!.table.updateLeaf(address) { $0 & ~bits.writable }
        flushTLB(mm: mm, pages: [address])
        frames[pfn].flags.insert(.ksm)
        ksm.stable[frames[pfn].content, default: []].append(pfn)
    }

    /// `replace_page`: the entry at `address` maps KSM page `k` read-only instead of `old`, which
    /// loses a mapping (and is freed with its last). False when the entry changed.
    mutating func replaceWithKSMPage(mm: Int, address: UInt64, old: Int, with k: Int) -> Bool {
        guard let vma = mms[mm]!.vmas.lookup(address) else { return false }
        let entry = userEntry(pfn: k, vma: vma, writable: false, dirty: false)
        mms[mm]!.table.updateLeaf(address) { _ in entry }
        frames[k].mapcount += 1
        flushTLB(mm: mm, pages: [address])
        unmapPage(old)
        return true
    }

    /// A write fault on a KSM page (`do_wp_page`: a KSM page is never reused): the page is copied
    /// into a new anonymous page mapped writable; the KSM page loses this mapping.
    mutating func copyKSMPage(t: Int, mm: Int, vma: VMA, address: UInt64, entry: UInt64, writable: Bool) -> FaultResult {
        let old = Int(config.format.bits.physicalAddress(entry) >> 12)
        guard let pfn = allocUserPage(for: t) else { return .killed(tasks[t].signal ?? .oomKill) }
        guard mms[mm] != nil, mms[mm]!.table.leaf(at: address)?.entry == entry else {
            freePage(pfn)
            return .retry
        }
        newAnonPage(pfn, mm: mm, address: address, content: frames[old].content)
        let newEntry = userEntry(pfn: pfn, vma: vma, writable: writable, dirty: writable)
        mms[mm]!.table.updateLeaf(address) { _ in newEntry }
        flushTLB(mm: mm, pages: [address])
        tasks[t].cowFaults += 1
        unmapPage(old)
        return .retry
    }

    /// A KSM page is freed: it leaves the stable tree.
    mutating func ksmForget(_ pfn: Int) {
        let c = frames[pfn].content
        ksm.stable[c]?.removeAll { $0 == pfn }
        if ksm.stable[c]?.isEmpty == true { ksm.stable[c] = nil }
    }

    // MARK: Filling pages with content

    /// Writes every page of `[address, address + length)` of `pid` with content that `pattern`
    /// gives (each page faulted in for a write as `touch` would, then holding that content), so
    /// that identical pages exist for KSM to find.
    /// - Complexity: O(pages).
    public mutating func fill(_ pid: Int, _ address: UInt64, length: UInt64, pattern: FillPattern, from mappingStart: UInt64? = nil) throws(KernelError) -> AccessOutcome {
        let t = try running(pid)
        let base = (mappingStart ?? address) >> 12
        var a = address & ~4095
        let end = address &+ length
        defer { fillToken = nil }
        while a < end {
            let value: UInt64
            switch pattern {
            case .zero: value = 0
            case .index: value = (a >> 12) - base
            case .value(let n): value = n
            }
            // A page whose every word holds `value`: zero-filled for 0, else a token no store makes.
            fillToken = value == 0 ? 0 : (1 << 63) | (value & ((1 << 62) - 1))
            let r = accessTask(t, a, .store)
            if r != .done { return r }
            a &+= 4096
        }
        return .done
    }

    /// A store to `address` of `pid` that leaves the page holding `content` (a content token, as
    /// `PageFrames.Frame.content` holds it): how a host writes the content a guest wrote into the
    /// page backing it.
    /// - Complexity: that of the access.
    public mutating func store(_ pid: Int, _ address: UInt64, content: UInt64) throws(KernelError) -> AccessOutcome {
        let t = try running(pid)
        fillToken = content
        defer { fillToken = nil }
        return accessTask(t, address, .store)
    }

    /// The content token frame `pfn` holds (0: zero-filled).
    /// - Complexity: O(1).
    public func content(ofFrame pfn: Int) -> UInt64 {
        frames.frames.indices.contains(pfn) ? frames[pfn].content : 0
    }
}

/// What `fill` writes into each page.
public enum FillPattern: Hashable, Sendable {
    /// Zeroes.
    case zero
    /// The page's index within the mapping (0, 1, 2 ...): pages differ within a mapping, and
    /// match the same pages of another mapping filled the same way.
    case index
    /// The same value in every page.
    case value(UInt64)
}

/// /sys/kernel/mm/ksm's counters.
public struct KSMStats: Sendable, Hashable {
    public var pagesShared = 0, pagesSharing = 0, pagesUnshared = 0, pagesVolatile = 0, fullScans = 0
    /// The counters given.
    /// - Complexity: O(1).
    public init(pagesShared: Int = 0, pagesSharing: Int = 0, pagesUnshared: Int = 0, pagesVolatile: Int = 0, fullScans: Int = 0) {
        self.pagesShared = pagesShared; self.pagesSharing = pagesSharing; self.pagesUnshared = pagesUnshared
        self.pagesVolatile = pagesVolatile; self.fullScans = fullScans
    }
}

/// ksmd's state: the registered address spaces (`ksm_mm_head`), an rmap_item per page it has
/// seen, and the stable tree (KSM pages by content, each content a chain of pages of at most
/// `max_page_sharing` mappings).
struct KSMState {
    var slots: [Int] = []
    var items: [KSMKey: KSMItem] = [:]
    var stable: [UInt64: [Int]] = [:]
    var fullScans = 0
}

/// An rmap_item's identity: an address space and a virtual page.
struct KSMKey: Hashable {
    let mm: Int
    let page: UInt64
}

/// `struct ksm_rmap_item`: the checksum of the last scan, which tree the page is in, and the
/// scan that last saw it.
struct KSMItem {
    enum State { case none, unstable, stable }
    var oldChecksum: UInt64 = 0
    var state = State.none
    var seen = 0
}
