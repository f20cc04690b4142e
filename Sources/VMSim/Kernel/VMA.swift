/// `vm_flags` bits of a VMA, with the values of include/linux/mm.h.
public struct VMAFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt64
    /// The flags `rawValue`. - Complexity: O(1).
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let read = VMAFlags(rawValue: 0x1)          // VM_READ
    public static let write = VMAFlags(rawValue: 0x2)         // VM_WRITE
    public static let exec = VMAFlags(rawValue: 0x4)          // VM_EXEC
    public static let shared = VMAFlags(rawValue: 0x8)        // VM_SHARED
    public static let mayRead = VMAFlags(rawValue: 0x10)      // VM_MAYREAD
    public static let mayWrite = VMAFlags(rawValue: 0x20)     // VM_MAYWRITE
    public static let mayExec = VMAFlags(rawValue: 0x40)      // VM_MAYEXEC
    public static let mayShare = VMAFlags(rawValue: 0x80)     // VM_MAYSHARE
    public static let growsDown = VMAFlags(rawValue: 0x100)   // VM_GROWSDOWN
    public static let hugePage = VMAFlags(rawValue: 0x2000_0000)    // VM_HUGEPAGE (madvise HUGEPAGE)
    public static let mergeable = VMAFlags(rawValue: 0x8000_0000)   // VM_MERGEABLE (madvise MERGEABLE, KSM)
    public static let noHugePage = VMAFlags(rawValue: 0x4000_0000)  // VM_NOHUGEPAGE

    /// The protection bits `mprotect` changes.
    public static let protection: VMAFlags = [.read, .write, .exec]

    /// The flags `mmap` gives a mapping with `protection`, private or shared, as `calc_vm_prot_bits`
    /// and `calc_vm_flag_bits` with the VM_MAY* bits `do_mmap` adds.
    /// - Complexity: O(1).
    public static func mmap(_ protection: VMAFlags, shared: Bool) -> VMAFlags {
        var f = protection.intersection(.protection).union([.mayRead, .mayWrite, .mayExec])
        if shared { f.formUnion([.shared, .mayShare]) }
        return f
    }

    /// The permissions as /proc/PID/maps prints them: `rwxp` or `rwxs`.
    public var mapsPerms: String {
        (contains(.read) ? "r" : "-") + (contains(.write) ? "w" : "-") + (contains(.exec) ? "x" : "-")
            + (contains(.mayShare) ? "s" : "p")
    }
}

/// One virtual memory area (`struct vm_area_struct`): a page-aligned range `[start, end)` of an
/// address space with one set of flags, anonymous or backed by a file from page `pgoff` on.
public struct VMA: Hashable, Sendable, CustomStringConvertible {
    /// `vm_start`, `vm_end` (exclusive), page-aligned.
    public var start: UInt64
    public var end: UInt64
    public var flags: VMAFlags
    /// The file mapped (an id the kernel gives its files), or `nil` for anonymous memory.
    public var file: Int?
    /// `vm_pgoff`: the file page `start` maps (for anonymous memory, `start >> PAGE_SHIFT`, as
    /// `do_mmap` sets it, so that neighbours' offsets line up for merging).
    public var pgoff: UInt64
    /// The name /proc/PID/maps shows (`[heap]`, a path, a workload's mapping name), if any.
    public var name: String

    /// A VMA; `pgoff` defaults to `start >> PAGE_SHIFT`, as `do_mmap` sets it for anonymous memory.
    /// - Complexity: O(1).
    public init(start: UInt64, end: UInt64, flags: VMAFlags, file: Int? = nil, pgoff: UInt64? = nil, name: String = "") {
        self.start = start
        self.end = end
        self.flags = flags
        self.file = file
        self.pgoff = pgoff ?? start >> VMATree.pageShift
        self.name = name
    }

    /// Bytes covered.
    public var length: UInt64 { end - start }
    public var isAnonymous: Bool { file == nil }

    /// Whether `address` is inside.
    /// - Complexity: O(1).
    @inlinable public func contains(_ address: UInt64) -> Bool { address >= start && address < end }

    /// `is_mergeable_vma` and the offset test of `can_vma_merge_after`: `next` starts where this
    /// ends, with the same flags, file and name, and (for a file) the file pages line up.
    /// - Complexity: O(name length).
    public func canMerge(with next: VMA) -> Bool {
        end == next.start && flags == next.flags && file == next.file && name == next.name
            && pgoff + (length >> VMATree.pageShift) == next.pgoff
    }

    public var description: String {
        "0x\(String(start, radix: 16))-0x\(String(end, radix: 16)) \(flags.mapsPerms)" + (name.isEmpty ? "" : " \(name)")
    }
}

/// Why a VMA operation was refused, with the errno the kernel returns.
public enum VMAError: Error, Hashable, Sendable, CustomStringConvertible {
    /// ENOMEM: no gap of the length below `mmap_base`, a range not mapped (mprotect), or the
    /// operation would pass `max_map_count` VMAs.
    case noMemory(String)
    /// EINVAL: an address or length not page-aligned, zero, or past the address space.
    case invalid(String)

    public var description: String {
        switch self {
        case .noMemory(let why): "ENOMEM: \(why)"
        case .invalid(let why): "EINVAL: \(why)"
        }
    }
}

/// An address space's VMAs (`mm->mm_mt`), in address order, not overlapping, with the splitting and
/// merging of mm/vma.c and the top-down placement of mm/mmap.c.
///
///     var vmas = VMATree(mmapBase: 0x7f00_0000_0000)
///     let a = try vmas.mmap(length: 0x4000, flags: .mmap(.readWrite, shared: false))  // below mmap_base
///     try vmas.mprotect(a + 0x1000, length: 0x1000, to: .read)   // three VMAs, as __split_vma makes
///     try vmas.mprotect(a + 0x1000, length: 0x1000, to: [.read, .write])   // one again (vma_merge)
///
/// Simplified: a sorted array (lookup O(log n) by binary search, insertion and removal O(n) by
/// moving the entries after it) instead of the maple tree; anonymous VMAs merge when their flags
/// and names match (the kernel also requires compatible `anon_vma`s, which a fresh mapping has).
public struct VMATree: Sendable, InvariantChecking {
    public static let pageShift: UInt64 = 12
    /// The base page, 4 KiB.
    public static let pageSize: UInt64 = 1 << pageShift
    /// PMD size: anonymous mappings of at least this are placed on a multiple of it (Linux 6.7+,
    /// `__thp_get_unmapped_area`).
    public static let pmdSize: UInt64 = 2 << 20
    /// `vm.max_map_count` (DEFAULT_MAX_MAP_COUNT, 65530).
    public static let defaultMaxMapCount = 65530

    /// The VMAs, by address.
    public private(set) var vmas: ContiguousArray<VMA> = []
    /// `mm->mmap_base`: top-down placement takes the highest gap below it.
    public let mmapBase: UInt64
    /// `mmap_min_addr` (65536): nothing is placed below it.
    public let minAddress: UInt64
    /// `vm.max_map_count`.
    public var maxMapCount: Int

    /// No VMAs yet. - Complexity: O(1).
    public init(mmapBase: UInt64, minAddress: UInt64 = 0x10000, maxMapCount: Int = VMATree.defaultMaxMapCount) {
        self.mmapBase = mmapBase
        self.minAddress = minAddress
        self.maxMapCount = maxMapCount
    }

    /// `mm->map_count`.
    public var count: Int { vmas.count }

    /// The index of the first VMA that ends after `address` (`find_vma`), or `count`.
    /// - Complexity: O(log n).
    public func firstIndex(endingAfter address: UInt64) -> Int {
        var lo = 0, hi = vmas.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if vmas[mid].end <= address { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The VMA containing `address` (`vma_lookup`), if any.
    /// - Complexity: O(log n).
    public func lookup(_ address: UInt64) -> VMA? {
        let i = firstIndex(endingAfter: address)
        return i < vmas.count && vmas[i].start <= address ? vmas[i] : nil
    }

    static func checkRange(_ start: UInt64, _ length: UInt64) throws(VMAError) {
        guard length > 0, start & (pageSize - 1) == 0, length & (pageSize - 1) == 0 else {
            throw .invalid("0x\(String(start, radix: 16)) + \(length) bytes is not a page-aligned, non-empty range")
        }
        guard start <= UInt64.max - length else { throw .invalid("the range passes the end of the address space") }
    }

    // MARK: Placement (mm/mmap.c)

    /// The highest page-aligned address below `mmap_base` where `length` bytes fit in a gap, on a
    /// multiple of `alignment` (`vm_unmapped_area` with `VM_UNMAPPED_AREA_TOPDOWN`, as
    /// `arch_get_unmapped_area_topdown` calls it).
    /// - Complexity: O(n) in the VMAs below `mmap_base` (the maple tree's gap search is O(log n)).
    public func unmappedArea(length: UInt64, alignment: UInt64 = VMATree.pageSize) throws(VMAError) -> UInt64 {
        var high = mmapBase
        var i = firstIndex(endingAfter: mmapBase - 1)
        // Walk the gaps downwards: between VMA i-1 and the current `high`.
        while true {
            let low = i > 0 ? vmas[i - 1].end : minAddress
            let top = i < vmas.count ? min(high, vmas[i].start) : high
            if top >= low && top - low >= length {
                let candidate = (top - length) & ~(alignment - 1)
                if candidate >= low { return candidate }
            }
            if i == 0 { break }
            i -= 1
            high = vmas[i].start
        }
        throw .noMemory("no gap of \(length) bytes below mmap_base")
    }

    /// Maps `length` bytes (`do_mmap` then `mmap_region`): at `address` when given (MAP_FIXED:
    /// whatever was there is unmapped first), else top down from `mmap_base`, an anonymous mapping
    /// of 2M or more on a 2M boundary. The new VMA merges with compatible neighbours
    /// (`vma_merge_new_range`). Returns the start.
    /// - Throws: `VMAError` for a bad range, no room, or `max_map_count` reached.
    /// - Complexity: O(n) (see the type's note).
    @discardableResult
    public mutating func mmap(at address: UInt64? = nil, length: UInt64, flags: VMAFlags, file: Int? = nil,
                              pgoff: UInt64? = nil, name: String = "") throws(VMAError) -> UInt64 {
        let length = (length + Self.pageSize - 1) & ~(Self.pageSize - 1)
        let start: UInt64
        if let address {
            try Self.checkRange(address, length)
            try munmap(address, length: length)
            start = address
        } else {
            guard length > 0 else { throw .invalid("a mapping of 0 bytes") }
            let align = file == nil && length >= Self.pmdSize ? Self.pmdSize : Self.pageSize
            start = try unmappedArea(length: length, alignment: align)
        }
        guard vmas.count < maxMapCount else { throw .noMemory("max_map_count (\(maxMapCount)) VMAs already") }
        insertMerging(VMA(start: start, end: start + length, flags: flags, file: file, pgoff: pgoff, name: name))
        return start
    }

    /// Inserts `vma` into a gap and merges it with the neighbours it can merge with.
    mutating func insertMerging(_ vma: VMA) {
        var i = firstIndex(endingAfter: vma.start)
        vmas.insert(vma, at: i)
        if i + 1 < vmas.count && vmas[i].canMerge(with: vmas[i + 1]) {
            vmas[i].end = vmas[i + 1].end
            vmas.remove(at: i + 1)
        }
        if i > 0 && vmas[i - 1].canMerge(with: vmas[i]) {
            vmas[i - 1].end = vmas[i].end
            vmas.remove(at: i)
            i -= 1
        }
    }

    // MARK: Splitting and unmapping (mm/vma.c)

    /// Splits the VMA containing `address` strictly inside it into `[start, address)` and
    /// `[address, end)` (`__split_vma`); nothing happens at a boundary or a gap.
    /// - Throws: `.noMemory` when the split would pass `max_map_count`.
    /// - Complexity: O(n).
    public mutating func split(at address: UInt64) throws(VMAError) {
        let i = firstIndex(endingAfter: address)
        guard i < vmas.count, vmas[i].start < address else { return }
        guard vmas.count < maxMapCount else { throw .noMemory("splitting would pass max_map_count (\(maxMapCount))") }
        var upper = vmas[i]
        upper.pgoff += (address - upper.start) >> Self.pageShift
        upper.start = address
        vmas[i].end = address
        vmas.insert(upper, at: i + 1)
    }

    /// Unmaps `[start, start + length)` (`do_vmi_munmap`): splits the VMAs at both ends and
    /// removes what lies between. Returns the ranges removed (for the page tables and the TLBs).
    /// - Complexity: O(n).
    @discardableResult
    public mutating func munmap(_ start: UInt64, length: UInt64) throws(VMAError) -> [VMA] {
        try Self.checkRange(start, length)
        let end = start + length
        // The kernel checks map_count before splitting: a split of one VMA at both ends adds two.
        try split(at: start)
        try split(at: end)
        let first = firstIndex(endingAfter: start)
        var last = first
        while last < vmas.count && vmas[last].start < end { last += 1 }
        let removed = Array(vmas[first..<last])
        vmas.removeSubrange(first..<last)
        return removed
    }

    /// Changes the protection of `[start, start + length)` (`mprotect_fixup` through
    /// `vma_modify_flags`): the range must be mapped without holes; the VMAs are split at its ends,
    /// take the new protection, and merge with their neighbours where they now can.
    /// - Throws: `.noMemory` for a range with unmapped pages (as mprotect returns ENOMEM), or
    ///   `max_map_count` passed.
    /// - Complexity: O(n).
    public mutating func mprotect(_ start: UInt64, length: UInt64, to protection: VMAFlags) throws(VMAError) {
        try modify(start, length: length) { $0.flags = $0.flags.subtracting(.protection).union(protection.intersection(.protection)) }
    }

    /// Sets or clears flags (`madvise` HUGEPAGE / NOHUGEPAGE) over a mapped range, splitting and
    /// merging as `mprotect` does.
    /// - Complexity: O(n).
    public mutating func modify(_ start: UInt64, length: UInt64, _ change: (inout VMA) -> Void) throws(VMAError) {
        try Self.checkRange(start, length)
        let end = start + length
        var i = firstIndex(endingAfter: start)
        var at = start
        while at < end {
            guard i < vmas.count, vmas[i].start <= at else {
                throw .noMemory("0x\(String(at, radix: 16)) is not mapped")
            }
            at = vmas[i].end
            i += 1
        }
        try split(at: start)
        try split(at: end)
        let first = firstIndex(endingAfter: start)
        var last = first
        while last < vmas.count && vmas[last].start < end {
            change(&vmas[last])
            last += 1
        }
        // Merge the changed VMAs with each other and with their neighbours (vma_merge_existing_range).
        var k = max(0, first - 1)
        while k + 1 < vmas.count && k <= last {
            if vmas[k].canMerge(with: vmas[k + 1]) {
                vmas[k].end = vmas[k + 1].end
                vmas.remove(at: k + 1)
                last -= 1
            } else {
                k += 1
            }
        }
    }

    /// The VMAs are page-aligned, non-empty, in order and disjoint, and within `max_map_count`.
    /// - Complexity: O(n).
    public func checkInvariants() -> [String] {
        var v = Violations()
        for (i, vma) in vmas.enumerated() {
            v.check(vma.start < vma.end, "VMA \(i) \(vma) is empty or inverted")
            v.check(vma.start & (Self.pageSize - 1) == 0 && vma.end & (Self.pageSize - 1) == 0, "VMA \(i) \(vma) is not page-aligned")
            if i > 0 { v.check(vmas[i - 1].end <= vma.start, "VMAs \(i - 1) and \(i) overlap or are out of order") }
        }
        v.check(vmas.count <= maxMapCount, "\(vmas.count) VMAs, above max_map_count \(maxMapCount)")
        return v.all
    }
}

extension VMAFlags {
    /// `PROT_READ | PROT_WRITE`.
    public static let readWrite: VMAFlags = [.read, .write]
}
