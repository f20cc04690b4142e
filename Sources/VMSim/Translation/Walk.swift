/// Why a translation failed. A fault is a result of the simulation, never an error.
public enum TranslationFault: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// The translation succeeded.
    case none = 0
    /// The address is outside the format's virtual address space: not canonical (x86-64 raises #GP
    /// rather than a page fault; RISC-V a page fault), or wider than a 32-bit or custom format.
    case nonCanonical
    /// An entry on the way has its present (x86 P, RISC-V V) bit clear.
    case notPresent
    /// The translation exists but does not allow this access (write to read-only, user access to
    /// a supervisor page, fetch from a no-execute page).
    case protection
    /// A reserved encoding: x86's PS bit at a level without large pages, RISC-V W without R, or a
    /// RISC-V pointer entry at the last level.
    case reserved
    /// A huge-page leaf whose frame is not aligned to the page size (x86: reserved bits set, RSVD;
    /// RISC-V: a misaligned superpage).
    case misaligned
    /// Segmentation refused the access before paging saw it.
    case segmentation

    /// The fault's name, as `--json` prints it.
    public var description: String {
        switch self {
        case .none: "none"
        case .nonCanonical: "non-canonical"
        case .notPresent: "not-present"
        case .protection: "protection"
        case .reserved: "reserved-bit"
        case .misaligned: "misaligned-superpage"
        case .segmentation: "segmentation"
        }
    }

    /// All faults, for per-kind counters.
    public static let count = 7
}

/// The outcome of one page-table walk or TLB lookup.
public struct WalkResult: Hashable, Sendable {
    /// The physical address (valid when `fault == .none`).
    public var physical: UInt64
    /// The leaf entry after the walk's accessed/dirty update, or the entry that faulted.
    public var entry: UInt64
    /// The level of the leaf (or of the faulting entry), 0 = root.
    public var level: UInt8
    /// log2 of the size of the page that maps the address.
    public var pageShift: UInt8
    /// Entries read from memory by the walk (0 for a TLB hit).
    public var references: UInt8
    /// Entries written back to set accessed or dirty bits.
    public var updates: UInt8
    /// What the translation allows.
    public var permissions: PagePermissions
    /// Why the translation failed, or `.none`.
    public var fault: TranslationFault

    /// A result; by default a successful translation to 0.
    @inlinable
    public init(physical: UInt64 = 0, entry: UInt64 = 0, level: UInt8 = 0, pageShift: UInt8 = 0, references: UInt8 = 0,
                updates: UInt8 = 0, permissions: PagePermissions = [], fault: TranslationFault = .none) {
        self.physical = physical
        self.entry = entry
        self.level = level
        self.pageShift = pageShift
        self.references = references
        self.updates = updates
        self.permissions = permissions
        self.fault = fault
    }

    /// Whether the translation succeeded.
    @inlinable public var succeeded: Bool { fault == .none }
}

/// One step of a walk, handed to a `WalkRecorder`.
public struct WalkStep: Hashable, Sendable {
    /// The level, 0 = root.
    public var level: Int
    /// The index into the level's table.
    public var index: Int
    /// The physical address of the entry read.
    public var entryAddress: UInt64
    /// The entry as read.
    public var entry: UInt64
    /// The entry after the walk set accessed/dirty bits (equal to `entry` when it did not).
    public var updated: UInt64
    /// The table the entry points to (an internal id), or -1 for a leaf or a fault.
    public var nextTable: Int32
    /// The permission bits ANDed over the levels so far (x86), for paging-structure caches.
    public var combinedAnd: UInt64
    /// The bits ORed over the levels so far (x86 XD).
    public var combinedOr: UInt64
    /// Whether the entry was read from memory (false for PAE PDPTEs, held in registers).
    public var fromMemory: Bool

    /// A step of a walk.
    @inlinable
    public init(level: Int, index: Int, entryAddress: UInt64, entry: UInt64, updated: UInt64, nextTable: Int32,
                combinedAnd: UInt64, combinedOr: UInt64, fromMemory: Bool) {
        self.level = level
        self.index = index
        self.entryAddress = entryAddress
        self.entry = entry
        self.updated = updated
        self.nextTable = nextTable
        self.combinedAnd = combinedAnd
        self.combinedOr = combinedOr
        self.fromMemory = fromMemory
    }
}

/// Receives every step of a walk. The hot path passes `NoWalkRecorder`, which compiles away.
public protocol WalkRecorder {
    /// Receives the next step of a walk, root first.
    mutating func record(_ step: WalkStep)
}

/// The recorder that records nothing.
public struct NoWalkRecorder: WalkRecorder {
    /// A recorder that drops every step.
    @inlinable public init() {}
    /// Drops `step`.
    /// - Complexity: O(1).
    @inlinable @inline(__always) public mutating func record(_ step: WalkStep) {}
}

/// A recorder that keeps every step, for `vmsim translate --explain` and tests.
public struct WalkSteps: WalkRecorder {
    /// The steps, root first.
    public var steps: [WalkStep] = []
    /// An empty recorder.
    public init() {}
    /// Appends `step`.
    /// - Complexity: O(1) amortized.
    public mutating func record(_ step: WalkStep) { steps.append(step) }
}

/// Where a walk begins: at the root, or lower when a paging-structure cache supplied the table.
public struct WalkStart: Hashable, Sendable {
    /// The level at which the walk begins, 0 = root.
    public var level: Int
    /// The table at that level (an internal id).
    public var table: Int32
    /// The permission bits ANDed over the levels above.
    public var combinedAnd: UInt64
    /// The bits ORed over the levels above (x86 XD).
    public var combinedOr: UInt64
    /// A start at `table` of `level`, with the permissions combined above it.
    @inlinable public init(level: Int, table: Int32, combinedAnd: UInt64 = ~0, combinedOr: UInt64 = 0) {
        self.level = level
        self.table = table
        self.combinedAnd = combinedAnd
        self.combinedOr = combinedOr
    }
}
