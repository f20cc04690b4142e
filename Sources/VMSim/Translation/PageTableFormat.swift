/// One level of a radix page table: which bits of the virtual address index it, and whether an
/// entry at this level may map a page itself (a huge page, or the last level).
public struct PageTableLevel: Hashable, Sendable {
    /// The kernel's name for the level: `PGD`, `P4D`, `PUD`, `PMD`, `PTE`.
    public var name: String
    /// The hardware manual's name: Intel's `PML4`, `PDPT`, `PD`, `PT`; RISC-V's `VPN[2]`.
    public var hardwareName: String
    /// Bits of the virtual address that index this level's table.
    public var indexBits: UInt8
    /// The lowest virtual-address bit of the index: an entry here covers `1 << shift` bytes.
    public var shift: UInt8
    /// Whether an entry at this level may be a leaf (the last level, or PSE / RISC-V superpages).
    public var leafAllowed: Bool
    /// Whether entries at this level carry permission bits that the walk combines. False for PAE's
    /// PDPTEs, whose R/W, U/S and XD positions are reserved.
    public var carriesPermissions: Bool
    /// Whether the hardware keeps this level's entries in registers rather than reading them from
    /// memory on a walk (PAE loads the four PDPTEs when CR3 is written).
    public var heldInRegisters: Bool

    /// A level of `1 << indexBits` entries, each covering `1 << shift` bytes.
    public init(name: String, hardwareName: String, indexBits: UInt8, shift: UInt8, leafAllowed: Bool,
                carriesPermissions: Bool = true, heldInRegisters: Bool = false) {
        self.name = name
        self.hardwareName = hardwareName
        self.indexBits = indexBits
        self.shift = shift
        self.leafAllowed = leafAllowed
        self.carriesPermissions = carriesPermissions
        self.heldInRegisters = heldInRegisters
    }

    /// Entries in one table of this level.
    @inlinable public var entries: Int { 1 << Int(indexBits) }
    /// The bytes one entry covers: the page size when it is a leaf.
    @inlinable public var coverage: PageSize { PageSize(shift: shift) }
    /// This level's index in `address`.
    /// - Complexity: O(1).
    @inlinable public func index(of address: UInt64) -> Int {
        Int(truncatingIfNeeded: (address >> UInt64(shift)) & (UInt64(1) << UInt64(indexBits) &- 1))
    }
}

/// Which bit means what in a page-table entry, as data: the walk reads these masks rather than
/// branching per architecture. x86 follows arch/x86/include/asm/pgtable_types.h and the Intel SDM
/// vol. 3 ch. 4; RISC-V follows the privileged specification (Sv39/48/57) and
/// arch/riscv/include/asm/pgtable-bits.h.
public struct EntryBits: Hashable, Sendable {
    /// The family, for naming: `x86` or `riscv`.
    public var family: ArchitectureFamily
    /// x86 `_PAGE_PRESENT` (bit 0), RISC-V `V` (bit 0).
    public var present: UInt64
    /// RISC-V `R`; 0 on x86, where every present page is readable.
    public var readable: UInt64
    /// x86 `_PAGE_RW` (bit 1), RISC-V `W` (bit 2).
    public var writable: UInt64
    /// RISC-V `X` (bit 3); 0 on x86, which marks the opposite (NX).
    public var executable: UInt64
    /// x86 `_PAGE_NX` (bit 63) where the format has it; 0 on RISC-V and 32-bit x86.
    public var noExecute: UInt64
    /// x86 `_PAGE_USER` (bit 2), RISC-V `U` (bit 4).
    public var user: UInt64
    /// x86 `_PAGE_PWT` (bit 3); 0 on RISC-V.
    public var writeThrough: UInt64
    /// x86 `_PAGE_PCD` (bit 4); 0 on RISC-V.
    public var cacheDisable: UInt64
    /// x86 `_PAGE_ACCESSED` (bit 5), RISC-V `A` (bit 6).
    public var accessed: UInt64
    /// x86 `_PAGE_DIRTY` (bit 6), RISC-V `D` (bit 7).
    public var dirty: UInt64
    /// x86 `_PAGE_GLOBAL` (bit 8), RISC-V `G` (bit 5).
    public var global: UInt64
    /// What makes an upper-level entry a leaf: x86 `_PAGE_PSE` (bit 7), RISC-V any of R, W, X.
    public var leaf: UInt64
    /// Where the physical frame number starts in the entry: 12 on x86 (the address in place),
    /// 10 on RISC-V (the PPN field).
    public var frameShift: UInt8
    /// The frame-number field's width.
    public var frameBits: UInt8
    /// Whether the walk combines permissions over every level (x86: R/W and U/S ANDed, XD ORed) or
    /// reads them from the leaf only (RISC-V).
    public var hierarchicalPermissions: Bool
    /// Whether the walk sets the accessed bit of the upper-level entries it uses (x86 does; in
    /// RISC-V A is defined on leaves only).
    public var accessedOnTables: Bool

    /// The bits' names, lowest first, for explaining an entry.
    /// - Complexity: O(1): at most ten bits.
    public var names: [(mask: UInt64, name: String)] {
        var out: [(UInt64, String)] = []
        switch family {
        case .x86:
            out = [(present, "P"), (writable, "RW"), (user, "US"), (writeThrough, "PWT"), (cacheDisable, "PCD"),
                   (accessed, "A"), (dirty, "D"), (leaf, "PS"), (global, "G"), (noExecute, "NX")]
        case .riscv:
            out = [(present, "V"), (readable, "R"), (writable, "W"), (executable, "X"), (user, "U"),
                   (global, "G"), (accessed, "A"), (dirty, "D")]
        }
        return out.filter { $0.0 != 0 }
    }

    /// The 32-bit x86 encoding (4-byte entries, 32-bit physical addresses, no NX).
    public static let x86_32 = EntryBits(
        family: .x86, present: 1 << 0, readable: 0, writable: 1 << 1, executable: 0, noExecute: 0, user: 1 << 2,
        writeThrough: 1 << 3, cacheDisable: 1 << 4, accessed: 1 << 5, dirty: 1 << 6, global: 1 << 8,
        leaf: 1 << 7, frameShift: 12, frameBits: 20, hierarchicalPermissions: true, accessedOnTables: true)
    /// The 64-bit x86 encoding of PAE and IA-32e paging (8-byte entries, NX in bit 63, addresses up
    /// to MAXPHYADDR = 52 bits).
    public static let x86_64 = EntryBits(
        family: .x86, present: 1 << 0, readable: 0, writable: 1 << 1, executable: 0, noExecute: 1 << 63, user: 1 << 2,
        writeThrough: 1 << 3, cacheDisable: 1 << 4, accessed: 1 << 5, dirty: 1 << 6, global: 1 << 8,
        leaf: 1 << 7, frameShift: 12, frameBits: 40, hierarchicalPermissions: true, accessedOnTables: true)
    /// The RISC-V Sv39/48/57 encoding (8-byte entries, 44-bit PPN in bits 10..53).
    public static let riscv = EntryBits(
        family: .riscv, present: 1 << 0, readable: 1 << 1, writable: 1 << 2, executable: 1 << 3, noExecute: 0,
        user: 1 << 4, writeThrough: 0, cacheDisable: 0, accessed: 1 << 6, dirty: 1 << 7, global: 1 << 5,
        leaf: 0b1110, frameShift: 10, frameBits: 44, hierarchicalPermissions: false, accessedOnTables: false)

    /// Encodings are equal when their family, present bit, frame field, NX bit and leaf bit are.
    /// - Complexity: O(1).
    public static func == (a: EntryBits, b: EntryBits) -> Bool {
        a.family == b.family && a.present == b.present && a.frameShift == b.frameShift && a.frameBits == b.frameBits
            && a.noExecute == b.noExecute && a.leaf == b.leaf
    }
    /// Hashes the family, the frame width and the NX bit.
    /// - Complexity: O(1).
    public func hash(into h: inout Hasher) { h.combine(family); h.combine(frameBits); h.combine(noExecute) }

    /// The physical address an entry points to (a table or a page frame).
    /// - Complexity: O(1).
    @inlinable public func physicalAddress(_ entry: UInt64) -> UInt64 {
        ((entry >> UInt64(frameShift)) & (UInt64(1) << UInt64(frameBits) &- 1)) << 12
    }

    /// The entry bits that encode physical address `physical` (4 KiB-aligned).
    /// - Complexity: O(1).
    @inlinable public func addressBits(_ physical: UInt64) -> UInt64 {
        ((physical >> 12) & (UInt64(1) << UInt64(frameBits) &- 1)) << UInt64(frameShift)
    }

    /// The highest physical address bits the frame field can hold.
    public var physicalBits: Int { Int(frameBits) + 12 }
}

/// The processor families whose entry encodings VMSim models.
public enum ArchitectureFamily: String, Hashable, Sendable {
    /// Intel and AMD: present, RW, US, PS, NX bits.
    case x86
    /// RISC-V Sv39, Sv48, Sv57: V, R, W, X, U bits.
    case riscv
}

/// A page-table format as data: the levels, the entry encoding and the address widths. The walk,
/// map and unmap are one loop over `levels` for every format.
///
///     let f = PageTableFormat.x86_64
///     f.levels.map(\.name)         // ["PGD", "PUD", "PMD", "PTE"]
///     f.pageSizes                  // [4K, 2M, 1G]
public struct PageTableFormat: Hashable, Sendable, CustomStringConvertible {
    /// The name used on the command line (`x86-64`, `sv39`, `custom`).
    public var name: String
    /// The levels, root first.
    public var levels: [PageTableLevel]
    /// The entry encoding.
    public var bits: EntryBits
    /// Bytes per entry (4 or 8).
    public var entryBytes: Int
    /// Width of a virtual address.
    public var virtualBits: Int
    /// Width of a physical address.
    public var physicalBits: Int
    /// Whether addresses above `virtualBits` must repeat its top bit (x86-64, RISC-V: canonical
    /// addresses) rather than be zero (32-bit formats, custom splits).
    public var signExtended: Bool

    /// A format of `levels`, root first, with entries of `entryBytes` bytes encoded by `bits`.
    /// - Complexity: O(1).
    public init(name: String, levels: [PageTableLevel], bits: EntryBits, entryBytes: Int, physicalBits: Int, signExtended: Bool) {
        self.name = name
        self.levels = levels
        self.bits = bits
        self.entryBytes = entryBytes
        self.physicalBits = physicalBits
        self.signExtended = signExtended
        virtualBits = Int(levels[0].shift) + Int(levels[0].indexBits)
    }

    /// The format's name.
    public var description: String { name }

    /// The base page: the last level's coverage.
    public var basePage: PageSize { levels[levels.count - 1].coverage }

    /// Every page size a leaf can map, smallest first.
    /// - Complexity: O(levels).
    public var pageSizes: [PageSize] { levels.reversed().filter(\.leafAllowed).map(\.coverage) }

    /// The level whose leaves are `size` pages, if any.
    /// - Complexity: O(levels).
    public func level(mapping size: PageSize) -> Int? {
        levels.firstIndex { $0.leafAllowed && $0.shift == size.shift }
    }

    /// Bytes of one table at `level`, and the base pages it occupies (at least one).
    /// - Complexity: O(1).
    public func tableBytes(level: Int) -> Int { levels[level].entries * entryBytes }

    /// Whether `address` is a valid virtual address of this format: canonical (bits above the width
    /// copy its top bit) for sign-extended formats, below `1 << virtualBits` for the others.
    /// - Complexity: O(1).
    @inlinable public func isCanonical(_ address: UInt64) -> Bool {
        if virtualBits >= 64 { return true }
        if signExtended {
            let top = Int64(bitPattern: address) >> Int64(virtualBits - 1)
            return top == 0 || top == -1
        }
        return address >> UInt64(virtualBits) == 0
    }

    /// The largest virtual address below the non-canonical hole (or the top of the space).
    public var highestLowAddress: UInt64 {
        virtualBits >= 64 ? .max : (signExtended ? (UInt64(1) << UInt64(virtualBits - 1)) - 1 : (UInt64(1) << UInt64(virtualBits)) - 1)
    }

    // MARK: Presets

    private static func x86Names(_ count: Int) -> [(String, String)] {
        // Linux folds the P4D away on 4-level machines: there the PGD is the PML4.
        let lower = [("PUD", "PDPT"), ("PMD", "PD"), ("PTE", "PT")]
        return count == 5 ? [("PGD", "PML5"), ("P4D", "PML4")] + lower : [("PGD", "PML4")] + lower
    }

    /// 32-bit x86 paging: 10/10/12, 4-byte entries, PSE 4 MiB pages in the page directory.
    public static let x86_32 = PageTableFormat(
        name: "x86-32",
        levels: [PageTableLevel(name: "PGD", hardwareName: "PD", indexBits: 10, shift: 22, leafAllowed: true),
                 PageTableLevel(name: "PTE", hardwareName: "PT", indexBits: 10, shift: 12, leafAllowed: true)],
        bits: .x86_32, entryBytes: 4, physicalBits: 32, signExtended: false)

    /// PAE paging: 2/9/9/12, 8-byte entries, 2 MiB pages in the page directory, the four PDPTEs
    /// held in registers, 36-bit physical addresses (as the kernel's table gives).
    public static let pae = PageTableFormat(
        name: "pae",
        levels: [PageTableLevel(name: "PGD", hardwareName: "PDPT", indexBits: 2, shift: 30, leafAllowed: false,
                                carriesPermissions: false, heldInRegisters: true),
                 PageTableLevel(name: "PMD", hardwareName: "PD", indexBits: 9, shift: 21, leafAllowed: true),
                 PageTableLevel(name: "PTE", hardwareName: "PT", indexBits: 9, shift: 12, leafAllowed: true)],
        bits: .x86_64, entryBytes: 8, physicalBits: 36, signExtended: false)

    /// x86-64 4-level paging: 9/9/9/9/12 (48-bit), 2 MiB pages at the PMD, 1 GiB at the PUD.
    public static let x86_64 = x86Long(levels: 4, name: "x86-64")

    /// x86-64 5-level paging (LA57): 9x5/12 (57-bit), adds the P4D.
    public static let la57 = x86Long(levels: 5, name: "la57")

    private static func x86Long(levels count: Int, name: String) -> PageTableFormat {
        let names = x86Names(count)
        var levels: [PageTableLevel] = []
        for (i, n) in names.enumerated() {
            let shift = UInt8(12 + 9 * (count - 1 - i))
            levels.append(PageTableLevel(name: n.0, hardwareName: n.1, indexBits: 9, shift: shift,
                                         leafAllowed: shift == 12 || shift == 21 || shift == 30))
        }
        return PageTableFormat(name: name, levels: levels, bits: .x86_64, entryBytes: 8, physicalBits: 52, signExtended: true)
    }

    /// RISC-V Sv39: 9x3/12, leaves at every level (4 KiB, 2 MiB megapages, 1 GiB gigapages).
    public static let sv39 = riscv(levels: 3)
    /// RISC-V Sv48: 9x4/12, adds 512 GiB terapages.
    public static let sv48 = riscv(levels: 4)
    /// RISC-V Sv57: 9x5/12, adds 256 TiB petapages.
    public static let sv57 = riscv(levels: 5)

    private static func riscv(levels count: Int) -> PageTableFormat {
        // Linux's riscv names: Sv39 has pgd/pmd/pte, Sv48 adds pud, Sv57 adds p4d.
        let names = count == 3 ? ["PGD", "PMD", "PTE"] : count == 4 ? ["PGD", "PUD", "PMD", "PTE"] : ["PGD", "P4D", "PUD", "PMD", "PTE"]
        var levels: [PageTableLevel] = []
        for i in 0..<count {
            let vpn = count - 1 - i
            levels.append(PageTableLevel(name: names[i], hardwareName: "VPN[\(vpn)]", indexBits: 9,
                                         shift: UInt8(12 + 9 * vpn), leafAllowed: true))
        }
        return PageTableFormat(name: "sv\(12 + 9 * count)", levels: levels, bits: .riscv, entryBytes: 8,
                               physicalBits: 56, signExtended: true)
    }

    /// The named presets, in the order `--help` lists them.
    public static let presets: [PageTableFormat] = [.x86_32, .pae, .x86_64, .la57, .sv39, .sv48, .sv57]

    /// A preset by its command-line name (`x86-32`, `pae`, `x86-64`, `la57`, `sv39`, `sv48`, `sv57`;
    /// `x86`, `i386`, `amd64`, `x86-64-5` are accepted too).
    /// - Complexity: O(n) in the length of `name`.
    public static func named(_ name: String) -> PageTableFormat? {
        switch name.lowercased() {
        case "x86", "x86-32", "i386", "ia32": return .x86_32
        case "pae", "x86-pae": return .pae
        case "x86-64", "x86_64", "amd64", "x64": return .x86_64
        case "la57", "x86-64-5", "x86-64-la57": return .la57
        case "sv39": return .sv39
        case "sv48": return .sv48
        case "sv57": return .sv57
        default: return nil
        }
    }

    /// A custom split: `indexBits` per level, root first, above a `pageSize` offset. Entries use the
    /// 4-byte 32-bit x86 encoding when the virtual address fits in 32 bits, the 8-byte one
    /// otherwise; every level below the root may hold huge leaves (PSE).
    ///
    ///     try PageTableFormat.custom(indexBits: [10, 10], pageSize: .base4K)   // classic 32-bit
    /// - Throws: `FormatError` when a level is 0 or above 20 bits, the page is below 4 KiB or
    ///   above 1 GiB, or the address is wider than 64 bits.
    /// - Complexity: O(levels).
    public static func custom(indexBits: [Int], pageSize: PageSize) throws(FormatError) -> PageTableFormat {
        guard !indexBits.isEmpty, indexBits.count <= 8 else {
            throw FormatError("give between 1 and 8 levels (got \(indexBits.count))")
        }
        for b in indexBits where b < 1 || b > 20 {
            throw FormatError("a level indexes 1 to 20 bits of the address (got \(b))")
        }
        guard pageSize.shift >= 12 && pageSize.shift <= 30 else {
            throw FormatError("the page size must be 4K to 1G (got \(pageSize)); entries keep their flags in the low 12 bits")
        }
        let width = indexBits.reduce(0, +) + Int(pageSize.shift)
        guard width <= 64 else {
            throw FormatError("the levels and page offset add up to \(width) bits, more than a 64-bit address")
        }
        let narrow = width <= 32
        var levels: [PageTableLevel] = []
        var shift = width
        for (i, b) in indexBits.enumerated() {
            shift -= b
            levels.append(PageTableLevel(name: "L\(indexBits.count - i)", hardwareName: "level \(i + 1)",
                                         indexBits: UInt8(b), shift: UInt8(shift), leafAllowed: i > 0 || indexBits.count == 1))
        }
        return PageTableFormat(name: "custom", levels: levels, bits: narrow ? .x86_32 : .x86_64, entryBytes: narrow ? 4 : 8,
                               physicalBits: narrow ? 32 : 52, signExtended: false)
    }
}

/// A page-table format that cannot be built, with the reason.
public struct FormatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why the format cannot be built.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
