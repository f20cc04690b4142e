/// A multi-level (radix) page table in the real entry encoding of its format, its table pages
/// taken from simulated physical memory.
///
/// Every table is a page frame (or a naturally aligned block of frames for tables larger than a
/// page) from a `FrameAllocator`; its entries live in one flat pool. Entries hold the physical
/// address of the next table exactly as hardware finds it, and the walk follows that address. The
/// walk is one loop over the format's levels: no code path per architecture.
///
///     var memory = FrameAllocator(bytes: 1 << 30)
///     var table = try RadixPageTable(format: .x86_64, memory: &memory)
///     try table.map(VirtualAddress(0x40_0000), to: PhysicalAddress(0x1234_5000), size: .base4K,
///                   flags: .userData, memory: &memory)
///     var none = NoWalkRecorder()
///     table.walk(0x40_0123, AccessIntent(.load), start: nil, recorder: &none).physical   // 0x1234_5123
///
/// Kernel names: the levels are the PGD, P4D, PUD, PMD and PTE of include/linux/pgtable.h;
/// `map` is what `__handle_mm_fault` does through `pXd_alloc` + `set_pte`, `unmap` is
/// `zap_pte_range` followed by `free_pgtables`.
public struct RadixPageTable: PageTable {
    /// The format whose levels and encoding the table uses.
    public let format: PageTableFormat
    /// True: the upper levels' entries may be held in paging-structure caches.
    public static var usesWalkCaches: Bool { true }

    /// The hot description of one level.
    @usableFromInline struct Level: Sendable {
        @usableFromInline var shift: UInt64
        @usableFromInline var mask: UInt64
        @usableFromInline var leafAllowed: Bool
        @usableFromInline var carriesPermissions: Bool
        @usableFromInline var heldInRegisters: Bool
        @usableFromInline var entries: Int
        @usableFromInline var framesOrder: Int
    }

    /// One table: where its entries are in the pool, its physical frame, and how many of its
    /// entries are in use (present, or holding a swap entry), so that an empty table can be freed.
    @usableFromInline struct Table: Sendable {
        @usableFromInline var base: Int
        @usableFromInline var frame: UInt64
        @usableFromInline var level: Int32
        @usableFromInline var present: Int32
    }

    @usableFromInline let levels: ContiguousArray<Level>
    @usableFromInline let bits: EntryBits
    @usableFromInline var pool: ContiguousArray<UInt64>
    @usableFromInline var tables: ContiguousArray<Table>
    /// Frame number -> table id (-1 when the frame holds no table of this page table).
    @usableFromInline var tableOfFrame: ContiguousArray<Int32>
    /// Ids of freed tables per level, reused (with their pool space) before new ones.
    @usableFromInline var freeTables: [ContiguousArray<Int32>]
    /// The root table's id (CR3 / satp point to its frame).
    public let root: Int32
    /// Table pages in use now, and at most.
    public internal(set) var tablePages: Int = 0
    public private(set) var peakTablePages: Int = 0
    /// Tables in use per level.
    public private(set) var tablesPerLevel: [Int]
    /// Leaf mappings per level.
    public internal(set) var leavesPerLevel: [Int]

    /// An empty table: allocates the root.
    /// - Throws: `MapError.outOfMemory` when `memory` has no frame for it.
    /// - Complexity: O(levels + entries of the root table).
    public init(format: PageTableFormat, memory: inout some FrameSource) throws(MapError) {
        precondition(memory.frameSize == format.basePage, "the memory's frames must be the format's base pages")
        self.format = format
        bits = format.bits
        var lv = ContiguousArray<Level>()
        for l in format.levels {
            let bytes = l.entries * format.entryBytes
            var order = 0
            while (Int(1) << order) * Int(format.basePage.bytes) < bytes { order += 1 }
            lv.append(Level(shift: UInt64(l.shift), mask: UInt64(l.entries - 1), leafAllowed: l.leafAllowed,
                            carriesPermissions: l.carriesPermissions, heldInRegisters: l.heldInRegisters,
                            entries: l.entries, framesOrder: order))
        }
        levels = lv
        pool = []
        tables = []
        tableOfFrame = []
        freeTables = Array(repeating: [], count: format.levels.count)
        tablesPerLevel = Array(repeating: 0, count: format.levels.count)
        leavesPerLevel = Array(repeating: 0, count: format.levels.count)
        root = 0
        guard try allocateTable(level: 0, memory: &memory) == 0 else { fatalError("the root is table 0") }
    }

    /// The physical address of the root table (the value of CR3 / satp's PPN, shifted).
    public var rootAddress: PhysicalAddress { PhysicalAddress(tables[Int(root)].frame << UInt64(format.basePage.shift)) }

    /// Bytes of the page-table pages in use.
    public var tableBytes: Int { tablePages * Int(format.basePage.bytes) }
    /// Leaf mappings of every size.
    /// - Complexity: O(levels).
    public var mappedPages: Int { leavesPerLevel.reduce(0, +) }
    /// Empty: a radix walk has no probes.
    public var probes: ProbeStats { ProbeStats() }

    /// The physical address of table `id`'s entry `index`.
    @inlinable func entryAddress(_ id: Int32, _ index: Int) -> UInt64 {
        tables[Int(id)].frame << UInt64(format.basePage.shift) + UInt64(index * format.entryBytes)
    }

    // MARK: Walk

    /// Translates `address` for `intent`: reads one entry per level from `start` (the root by
    /// default) down to the leaf, combines permissions, sets accessed bits on the way and the
    /// dirty bit for a store, as x86 and RISC-V (with hardware A/D updating, Svadu) do.
    ///
    /// Faults are results: an address outside the format, a clear present bit, a reserved
    /// encoding, a misaligned superpage, or an access the permissions forbid. Accessed/dirty bits
    /// are set on the leaf only when the access is allowed.
    /// - Complexity: O(levels).
    @inlinable
    public mutating func walk<R: WalkRecorder>(_ address: UInt64, _ intent: AccessIntent, start: WalkStart?, recorder: inout R) -> WalkResult {
        guard format.isCanonical(address) else { return WalkResult(fault: .nonCanonical) }
        let b = bits
        let last = levels.count - 1
        var level = start?.level ?? 0
        var table = start?.table ?? root
        var combinedAnd = start?.combinedAnd ?? ~0
        var combinedOr = start?.combinedOr ?? 0
        var references: UInt8 = 0
        var updates: UInt8 = 0
        while true {
            let l = levels[level]
            let index = Int(truncatingIfNeeded: (address >> l.shift) & l.mask)
            let t = tables[Int(table)]
            let slot = t.base &+ index
            let e = pool[slot]
            if !l.heldInRegisters { references &+= 1 }
            var step = WalkStep(level: level, index: index, entryAddress: t.frame << UInt64(format.basePage.shift) + UInt64(index * format.entryBytes),
                                entry: e, updated: e, nextTable: -1, combinedAnd: combinedAnd, combinedOr: combinedOr,
                                fromMemory: !l.heldInRegisters)
            if e & b.present == 0 {
                recorder.record(step)
                return WalkResult(entry: e, level: UInt8(level), references: references, updates: updates, fault: .notPresent)
            }
            let marked = e & b.leaf != 0
            let isLeaf = marked || (level == last && b.family == .x86)
            if (isLeaf && !l.leafAllowed) || (level == last && !isLeaf)
                || (b.readable != 0 && isLeaf && e & b.writable != 0 && e & b.readable == 0) {
                recorder.record(step)
                return WalkResult(entry: e, level: UInt8(level), references: references, updates: updates, fault: .reserved)
            }
            if l.carriesPermissions {
                combinedAnd &= e
                combinedOr |= e
            }
            if !isLeaf {
                var updated = e
                if b.accessedOnTables && !l.heldInRegisters && e & b.accessed == 0 {
                    updated = e | b.accessed
                    pool[slot] = updated
                    updates &+= 1
                }
                let next = tableOfFrame[Int(b.physicalAddress(e) >> UInt64(format.basePage.shift))]
                step.updated = updated
                step.nextTable = next
                step.combinedAnd = combinedAnd
                step.combinedOr = combinedOr
                recorder.record(step)
                table = next
                level &+= 1
                continue
            }
            // The leaf.
            let pageShift = UInt8(truncatingIfNeeded: l.shift)
            let pageMask = (UInt64(1) << l.shift) &- 1
            let frame = b.physicalAddress(e)
            if frame & pageMask != 0 {
                recorder.record(step)
                return WalkResult(entry: e, level: UInt8(level), pageShift: pageShift, references: references, updates: updates, fault: .misaligned)
            }
            let permissions = format.permissions(leaf: e, combinedAnd: combinedAnd, combinedOr: combinedOr)
            guard format.allows(permissions, intent) else {
                recorder.record(step)
                return WalkResult(entry: e, level: UInt8(level), pageShift: pageShift, references: references, updates: updates,
                                  permissions: permissions, fault: .protection)
            }
            var updated = e | b.accessed
            if intent.kind == .store { updated |= b.dirty }
            if updated != e {
                pool[slot] = updated
                updates &+= 1
            }
            step.updated = updated
            step.combinedAnd = combinedAnd
            step.combinedOr = combinedOr
            recorder.record(step)
            var finalPermissions = permissions
            if updated & b.dirty != 0 { finalPermissions.insert(.dirty) }
            return WalkResult(physical: frame | (address & pageMask), entry: updated, level: UInt8(level), pageShift: pageShift,
                              references: references, updates: updates, permissions: finalPermissions)
        }
    }

    /// The mapping covering `virtual`, without side effects.
    /// - Complexity: O(levels).
    public func mapping(at virtual: VirtualAddress) -> Mapping? {
        let address = virtual.rawValue
        guard format.isCanonical(address) else { return nil }
        var table = root
        for level in levels.indices {
            let l = levels[level]
            let index = Int((address >> l.shift) & l.mask)
            let e = pool[tables[Int(table)].base + index]
            if e & bits.present == 0 { return nil }
            if e & bits.leaf != 0 || level == levels.count - 1 {
                let base = address & ~((UInt64(1) << l.shift) - 1)
                return Mapping(virtual: VirtualAddress(base), physical: PhysicalAddress(bits.physicalAddress(e)),
                               size: PageSize(shift: UInt8(l.shift)), flags: bits.flags(of: e))
            }
            table = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
        }
        return nil
    }

    // MARK: Map, unmap, protect

    /// Maps the `size` page at `virtual` to `physical` with `flags`, allocating the tables on the
    /// way from `memory`.
    ///
    /// Refused with an explanation: an address outside the format, a size the format cannot map,
    /// a huge page whose addresses are not aligned to it, a range that overlaps a mapping (or, for
    /// a huge page, holds a table of smaller ones), flags the encoding cannot express, or no
    /// memory for a table (tables allocated on the way are freed again).
    /// - Complexity: O(levels).
    @discardableResult
    public mutating func map(_ virtual: VirtualAddress, to physical: PhysicalAddress, size: PageSize, flags: PageFlags,
                             memory: inout some FrameSource) throws(MapError) -> TableUpdateCost {
        let va = virtual.rawValue, pa = physical.rawValue
        try format.validate(virtual, physical, size: size, flags: flags)
        guard let target = format.level(mapping: size) else {
            throw .unsupportedSize(size, format: format.name, sizes: format.pageSizes)
        }
        var cost = TableUpdateCost()
        var path: [Int32] = [root]
        var table = root
        for level in 0...target {
            let l = levels[level]
            let slot = tables[Int(table)].base + Int((va >> l.shift) & l.mask)
            let e = pool[slot]
            if !l.heldInRegisters { cost.references += 1 }
            if level == target {
                if e & bits.present != 0 {
                    if e & bits.leaf != 0 || level == levels.count - 1 {
                        throw .overlaps(mapping(at: virtual)!)
                    }
                    throw .coversSmallerMappings(virtual, size, level: format.levels[level + 1].name)
                }
                pool[slot] = bits.leafEntry(pa, flags: flags, huge: level != levels.count - 1)
                if e == 0 { tables[Int(table)].present += 1 }
                leavesPerLevel[level] += 1
                cost.writes += 1
                debugCheckInvariants()
                return cost
            }
            if e & bits.present != 0 {
                if e & bits.leaf != 0 { throw .overlaps(mapping(at: virtual)!) }
                table = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
            } else {
                guard let next = try? allocateTable(level: level + 1, memory: &memory) else {
                    prune(path: path, address: va, memory: &memory)
                    throw .outOfMemory
                }
                pool[slot] = bits.tableEntry(tables[Int(next)].frame << UInt64(format.basePage.shift),
                                             carriesPermissions: l.carriesPermissions)
                tables[Int(table)].present += 1
                cost.tables += 1
                cost.writes += 1
                table = next
            }
            path.append(table)
        }
        fatalError("unreachable: the loop returns at the target level")
    }

    /// Removes the mapping covering `virtual` and frees every table it leaves empty (the root
    /// stays), as `free_pgtables` does.
    /// - Complexity: O(levels).
    @discardableResult
    public mutating func unmap(_ virtual: VirtualAddress, memory: inout some FrameSource) throws(MapError) -> (Mapping, TableUpdateCost) {
        guard let m = mapping(at: virtual) else { throw .notMapped(virtual) }
        let va = virtual.rawValue
        var cost = TableUpdateCost()
        var path: [Int32] = []
        var table = root
        for level in levels.indices {
            let l = levels[level]
            path.append(table)
            let slot = tables[Int(table)].base + Int((va >> l.shift) & l.mask)
            let e = pool[slot]
            if !l.heldInRegisters { cost.references += 1 }
            if e & bits.leaf != 0 || level == levels.count - 1 {
                pool[slot] = 0
                tables[Int(table)].present -= 1
                leavesPerLevel[level] -= 1
                cost.writes += 1
                break
            }
            table = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
        }
        let freed = prune(path: path, address: va, memory: &memory)
        cost.tables = freed
        cost.writes += freed
        debugCheckInvariants()
        return (m, cost)
    }

    /// Rewrites the flags of the mapping covering `virtual` (keeping its frame and size), as
    /// `change_protection` does; the caller must invalidate TLB entries for it.
    /// - Complexity: O(levels).
    @discardableResult
    public mutating func protect(_ virtual: VirtualAddress, flags: PageFlags) throws(MapError) -> Mapping {
        guard let m = mapping(at: virtual) else { throw .notMapped(virtual) }
        try format.validate(m.virtual, m.physical, size: m.size, flags: flags)
        let va = virtual.rawValue
        var table = root
        for level in levels.indices {
            let l = levels[level]
            let slot = tables[Int(table)].base + Int((va >> l.shift) & l.mask)
            let e = pool[slot]
            if e & bits.leaf != 0 || level == levels.count - 1 {
                pool[slot] = bits.leafEntry(bits.physicalAddress(e), flags: flags, huge: level != levels.count - 1)
                return m
            }
            table = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
        }
        return m
    }

    /// The raw entry of table level `level` on the way to `virtual`, for tests and explanations:
    /// `nil` when an upper level is not present or is a leaf.
    /// - Complexity: O(levels).
    public func entry(at virtual: VirtualAddress, level: Int) -> UInt64? {
        var table = root
        for lv in 0...level {
            let l = levels[lv]
            let e = pool[tables[Int(table)].base + Int((virtual.rawValue >> l.shift) & l.mask)]
            if lv == level { return e }
            if e & bits.present == 0 || e & bits.leaf != 0 { return nil }
            table = tableOfFrame[Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))]
        }
        return nil
    }

    // MARK: Tables

    /// Takes a table for `level` from `memory`: a reused id (its pool space zeroed already) or a new one.
    @usableFromInline
    mutating func allocateTable(level: Int, memory: inout some FrameSource) throws(MapError) -> Int32 {
        let l = levels[level]
        guard let frame = memory.allocate(order: l.framesOrder) else { throw .outOfMemory }
        let id: Int32
        if let reused = freeTables[level].popLast() {
            id = reused
            tables[Int(id)].frame = frame.rawValue
            tables[Int(id)].present = 0
        } else {
            id = Int32(tables.count)
            tables.append(Table(base: pool.count, frame: frame.rawValue, level: Int32(level), present: 0))
            pool.append(contentsOf: repeatElement(0, count: l.entries))
        }
        let f = Int(frame.rawValue)
        if f >= tableOfFrame.count {
            tableOfFrame.append(contentsOf: repeatElement(-1, count: max(f + 1 - tableOfFrame.count, tableOfFrame.count)))
        }
        tableOfFrame[f] = id
        let pages = 1 << l.framesOrder
        tablePages += pages
        peakTablePages = max(peakTablePages, tablePages)
        tablesPerLevel[level] += 1
        return id
    }

    /// Frees the empty tables at the end of `path` (root excluded), clearing the entries that
    /// pointed to them. Returns how many were freed.
    @discardableResult
    mutating func prune(path: [Int32], address: UInt64, memory: inout some FrameSource) -> Int {
        var freed = 0
        var i = path.count - 1
        while i > 0 {
            let id = path[i]
            guard tables[Int(id)].present == 0 else { break }
            let level = Int(tables[Int(id)].level)
            let l = levels[level]
            let parent = path[i - 1]
            let pl = levels[level - 1]
            let slot = tables[Int(parent)].base + Int((address >> pl.shift) & pl.mask)
            pool[slot] = 0
            tables[Int(parent)].present -= 1
            let frame = tables[Int(id)].frame
            tableOfFrame[Int(frame)] = -1
            memory.free(FrameNumber(frame), order: l.framesOrder)
            freeTables[level].append(id)
            tablePages -= 1 << l.framesOrder
            tablesPerLevel[level] -= 1
            freed += 1
            i -= 1
        }
        return freed
    }
}

extension PageTableFormat {
    /// Checks what every organisation refuses alike: addresses out of range, unsupported sizes,
    /// misaligned huge pages, flags the encoding cannot express.
    func validate(_ virtual: VirtualAddress, _ physical: PhysicalAddress, size: PageSize, flags: PageFlags) throws(MapError) {
        guard isCanonical(virtual.rawValue) else {
            throw .virtualOutOfRange(virtual, format: name, bits: virtualBits)
        }
        guard level(mapping: size) != nil else {
            throw .unsupportedSize(size, format: name, sizes: pageSizes)
        }
        let mask = size.bytes - 1
        guard virtual.rawValue & mask == 0, physical.rawValue & mask == 0 else {
            throw .unaligned(virtual, physical, size)
        }
        guard physicalBits >= 64 || (physical.rawValue | mask) >> UInt64(physicalBits) == 0 else {
            throw .physicalOutOfRange(physical, format: name, bits: physicalBits)
        }
        if bits.readable != 0 && flags.contains(.write) && !flags.contains(.read) {
            throw .invalidFlags(flags, reason: "RISC-V reserves W without R; add r")
        }
    }
}
