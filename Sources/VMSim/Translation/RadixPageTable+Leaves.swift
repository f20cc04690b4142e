/// Raw leaf entries, for the kernel's side of a page table: the fault handler writes present and
/// non-present (swap) entries, reclaim tests and clears accessed bits, fork write-protects every
/// private page, munmap zaps a range. The entries are in the format's own encoding; a leaf entry
/// that is not zero and not present holds what the kernel put there (a swap entry), and keeps its
/// table alive as a present one does.
extension RadixPageTable {
    /// The last level (the PTE level, 4K pages on x86-64).
    /// - Complexity: O(1).
    @inlinable public var leafLevel: Int { levels.count - 1 }

    /// The leaf entry covering `address`: a present leaf at any level (a huge page at the PMD, say),
    /// or whatever the last level holds (zero, a present entry or a swap entry). `nil` when an
    /// upper level has no table for it.
    /// - Complexity: O(levels).
    @inlinable
    public func leaf(at address: UInt64) -> (entry: UInt64, level: Int)? {
        var table = root
        var level = 0
        while true {
            let l = levels[level]
            let e = pool[tables[Int(table)].base &+ Int(truncatingIfNeeded: (address >> l.shift) & l.mask)]
            if level == levels.count - 1 || (e & bits.present != 0 && e & bits.leaf != 0) { return (e, level) }
            if e & bits.present == 0 { return nil }
            table = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
            level &+= 1
        }
    }

    /// Writes `entry` (raw, any encoding; zero clears it) as the entry of level `level` (default the
    /// last; a huge page's level for a huge leaf) for `address`, allocating the tables on the way
    /// from `memory` as `__pte_alloc` / `__pmd_alloc` do.
    /// - Throws: `MapError.outOfMemory` when a table cannot be allocated (the tables allocated on
    ///   the way are freed again), `.virtualOutOfRange` for an address outside the format,
    ///   `.overlaps` when a huge leaf covers the address, `.coversSmallerMappings` when a huge leaf
    ///   would replace a table.
    /// - Returns: the entry that was there.
    /// - Complexity: O(levels).
    @discardableResult
    public mutating func setLeaf(_ address: UInt64, entry: UInt64, level target: Int? = nil,
                                 memory: inout some FrameSource) throws(MapError) -> UInt64 {
        guard format.isCanonical(address) else {
            throw .virtualOutOfRange(VirtualAddress(address), format: format.name, bits: format.virtualBits)
        }
        let target = target ?? levels.count - 1
        var path: [Int32] = [root]
        var table = root
        for level in 0..<target {
            let l = levels[level]
            let slot = tables[Int(table)].base + Int((address >> l.shift) & l.mask)
            let e = pool[slot]
            if e & bits.present != 0 {
                if e & bits.leaf != 0 { throw .overlaps(mapping(at: VirtualAddress(address))!) }
                table = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
            } else {
                if entry == 0 { return 0 }
                guard let next = try? allocateTable(level: level + 1, memory: &memory) else {
                    prune(path: path, address: address, memory: &memory)
                    throw .outOfMemory
                }
                pool[slot] = bits.tableEntry(tables[Int(next)].frame << UInt64(format.basePage.shift),
                                             carriesPermissions: l.carriesPermissions)
                tables[Int(table)].present += 1
                table = next
            }
            path.append(table)
        }
        let l = levels[target]
        let slot = tables[Int(table)].base + Int((address >> l.shift) & l.mask)
        let old = pool[slot]
        if target < levels.count - 1 && old & bits.present != 0 && old & bits.leaf == 0 {
            throw .coversSmallerMappings(VirtualAddress(address), PageSize(shift: UInt8(l.shift)), level: format.levels[target + 1].name)
        }
        store(entry, over: old, at: slot, table: table, level: target)
        if entry == 0 && old != 0 { prune(path: path, address: address, memory: &memory) }
        return old
    }

    /// Rewrites the leaf entry covering `address` (a huge leaf or the last level's entry, present
    /// or not, but not zero) with `transform(entry)`; a result of zero clears it (its tables are
    /// kept: see `zap` for freeing them). Returns the old entry, or `nil` when there is none.
    /// - Complexity: O(levels).
    @inlinable @discardableResult
    public mutating func updateLeaf(_ address: UInt64, _ transform: (UInt64) -> UInt64) -> UInt64? {
        var table = root
        var level = 0
        while true {
            let l = levels[level]
            let slot = tables[Int(table)].base &+ Int(truncatingIfNeeded: (address >> l.shift) & l.mask)
            let e = pool[slot]
            if level == levels.count - 1 || (e & bits.present != 0 && e & bits.leaf != 0) {
                guard e != 0 else { return nil }
                store(transform(e), over: e, at: slot, table: table, level: level)
                return e
            }
            if e & bits.present == 0 { return nil }
            table = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
            level &+= 1
        }
    }

    /// `ptep_test_and_clear_young`: clears the accessed bit of the present leaf covering `address`
    /// and says whether it was set.
    /// - Complexity: O(levels).
    @inlinable
    public mutating func testAndClearYoung(_ address: UInt64) -> Bool {
        let a = bits.accessed, p = bits.present
        guard let old = updateLeaf(address, { $0 & p != 0 ? $0 & ~a : $0 }) else { return false }
        return old & p != 0 && old & a != 0
    }

    /// Keeps the table and leaf counts right when a leaf entry changes from `old` to `new`.
    @usableFromInline
    mutating func store(_ new: UInt64, over old: UInt64, at slot: Int, table: Int32, level: Int) {
        pool[slot] = new
        if (old == 0) != (new == 0) { tables[Int(table)].present += new == 0 ? -1 : 1 }
        let wasLeaf = old & bits.present != 0, isLeaf = new & bits.present != 0
        if wasLeaf != isLeaf { leavesPerLevel[level] += isLeaf ? 1 : -1 }
    }

    /// Calls `body(address, entry, level)` for every non-zero leaf entry (present or not) of
    /// `range`, in address order, skipping absent tables. The range is in the lower (user) half
    /// of the address space.
    /// - Complexity: O(tables reached × entries per table) over the range.
    public func forEachLeaf(in range: Range<UInt64>, _ body: (UInt64, UInt64, Int) -> Void) {
        guard !range.isEmpty else { return }
        visit(table: root, level: 0, base: 0, range: range) { a, e, l in body(a, e, l) }
    }

    func visit(table: Int32, level: Int, base: UInt64, range: Range<UInt64>, _ body: (UInt64, UInt64, Int) -> Void) {
        let l = levels[level]
        let span = UInt64(1) << l.shift
        let t = tables[Int(table)]
        let first = range.lowerBound > base ? Int((range.lowerBound - base) >> l.shift) : 0
        for i in first..<l.entries {
            let low = base &+ UInt64(i) &* span
            if low >= range.upperBound || (i > 0 && low == 0) { break }
            let e = pool[t.base + i]
            if e == 0 { continue }
            if level == levels.count - 1 || (e & bits.present != 0 && e & bits.leaf != 0) {
                body(low, e, level)
            } else if e & bits.present != 0 {
                let child = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
                visit(table: child, level: level + 1, base: low, range: range, body)
            }
        }
    }

    /// Rewrites every non-zero leaf entry of `range` with `transform(address, entry, level)`,
    /// as `change_protection` and `copy_pte_range`'s write-protection do; the caller flushes the
    /// TLBs. Returns how many entries changed.
    /// - Complexity: O(tables reached × entries per table) over the range.
    @discardableResult
    public mutating func modifyLeaves(in range: Range<UInt64>, _ transform: (UInt64, UInt64, Int) -> UInt64) -> Int {
        var leaves: [(UInt64, Int)] = []
        forEachLeaf(in: range) { a, _, l in leaves.append((a, l)) }
        var changed = 0
        for (a, l) in leaves {
            updateLeaf(a) { old in
                let new = transform(a, old, l)
                if new != old { changed += 1 }
                return new
            }
        }
        return changed
    }

    /// `zap_page_range` followed by `free_pgtables`: calls `body(address, entry, level)` for every
    /// non-zero leaf entry of `range`, clears it, and frees the tables left empty (the root stays).
    /// Returns how many table pages were freed.
    /// - Complexity: O(tables reached × entries per table) over the range.
    @discardableResult
    public mutating func zap(_ range: Range<UInt64>, memory: inout some FrameSource, _ body: (UInt64, UInt64, Int) -> Void) -> Int {
        var leaves: [(UInt64, UInt64, Int)] = []
        forEachLeaf(in: range) { a, e, l in leaves.append((a, e, l)) }
        let before = tablePages
        for (a, e, l) in leaves {
            body(a, e, l)
            if l == levels.count - 1 {
                _ = try? setLeaf(a, entry: 0, memory: &memory)   // clearing allocates nothing, so cannot fail
            } else {
                // A huge leaf: clear it where it is, then free the tables above it left empty.
                updateLeaf(a) { _ in 0 }
                pruneEmpty(above: a, level: l, memory: &memory)
            }
        }
        return before - tablePages
    }

    /// Frees the empty tables on the way to the entry of `level` covering `address`.
    mutating func pruneEmpty(above address: UInt64, level: Int, memory: inout some FrameSource) {
        var path: [Int32] = [root]
        var table = root
        for lv in 0..<level {
            let l = levels[lv]
            let e = pool[tables[Int(table)].base + Int((address >> l.shift) & l.mask)]
            guard e & bits.present != 0, e & bits.leaf == 0 else { return }
            table = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
            path.append(table)
        }
        prune(path: path, address: address, memory: &memory)
    }

    /// Table pages below the root (the kernel's `mm_pgtables_bytes` / PAGE_SIZE: PTE, PMD and PUD
    /// tables, which is what VmPTE and the OOM killer count).
    /// - Complexity: O(1).
    public var tablePagesBelowRoot: Int { tablePages - (1 << levels[0].framesOrder) }
}

extension RadixPageTable {
    /// Frees every table page, the root included (`free_pgd_range` + `pgd_free` at exit). The
    /// table must not be used afterwards.
    /// - Complexity: O(tables).
    public mutating func freeAll(memory: inout some FrameSource) {
        for (id, t) in tables.enumerated() where tableOfFrame.indices.contains(Int(t.frame)) && tableOfFrame[Int(t.frame)] == Int32(id) {
            memory.free(FrameNumber(t.frame), order: levels[Int(t.level)].framesOrder)
            tableOfFrame[Int(t.frame)] = -1
        }
        tablePages = 0
    }
}
