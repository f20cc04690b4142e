/// What a mapping allows, as asked for by `map` and `protect`; encoded into the format's real
/// entry bits by `PageTableFormat.leafEntry`.
///
///     let flags = try PageFlags(parsing: "rwu")   // user read/write data, not executable
public struct PageFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The flag bits, in VMSim's own numbering (not an entry encoding).
    public var rawValue: UInt16
    /// The flags `rawValue`.
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Loads allowed (RISC-V `R`; implied by presence on x86).
    @inlinable public static var read: PageFlags { PageFlags(rawValue: 1 << 0) }
    /// Stores allowed (x86 `RW`, RISC-V `W`).
    @inlinable public static var write: PageFlags { PageFlags(rawValue: 1 << 1) }
    /// Instruction fetches allowed (x86: `NX` clear; RISC-V `X`).
    @inlinable public static var execute: PageFlags { PageFlags(rawValue: 1 << 2) }
    /// User-mode access allowed (x86 `US`, RISC-V `U`).
    @inlinable public static var user: PageFlags { PageFlags(rawValue: 1 << 3) }
    /// The translation is the same in every address space; TLB entries survive a switch (`G`).
    @inlinable public static var global: PageFlags { PageFlags(rawValue: 1 << 4) }
    /// Accessed already (`A`), as if the walk had set it.
    @inlinable public static var accessed: PageFlags { PageFlags(rawValue: 1 << 5) }
    /// Dirty already (`D`).
    @inlinable public static var dirty: PageFlags { PageFlags(rawValue: 1 << 6) }
    /// Write-through caching (x86 `PWT`).
    @inlinable public static var writeThrough: PageFlags { PageFlags(rawValue: 1 << 7) }
    /// Caching disabled (x86 `PCD`).
    @inlinable public static var cacheDisable: PageFlags { PageFlags(rawValue: 1 << 8) }

    /// A user data page: read, write, user.
    public static let userData: PageFlags = [.read, .write, .user]

    static let letters: [(Character, PageFlags)] = [
        ("r", .read), ("w", .write), ("x", .execute), ("u", .user), ("g", .global), ("a", .accessed),
        ("d", .dirty), ("t", .writeThrough), ("c", .cacheDisable),
    ]

    /// Parses letters: `r` read, `w` write, `x` execute, `u` user, `g` global, `a` accessed,
    /// `d` dirty, `t` write-through (PWT), `c` cache disable (PCD). `-` alone means none.
    /// - Throws: `FormatError` naming the first letter that is not a flag.
    /// - Complexity: O(n) in the length of `text`.
    public init(parsing text: String) throws(FormatError) {
        self = []
        if text == "-" { return }
        for c in text.lowercased() {
            guard let flag = Self.letters.first(where: { $0.0 == c })?.1 else {
                throw FormatError("'\(c)' is not a page flag in '\(text)'; use r w x u g a d t c (read, write, execute, user, global, accessed, dirty, write-through, cache-disable)")
            }
            insert(flag)
        }
    }

    /// The letters, in the order `parsing` lists them.
    /// - Complexity: O(1): nine flags.
    public var description: String {
        let s = String(Self.letters.filter { contains($0.1) }.map(\.0))
        return s.isEmpty ? "-" : s
    }
}

/// The permissions a translation grants after the walk combined its levels; cached in TLB entries.
public struct PagePermissions: OptionSet, Hashable, Sendable {
    /// The permission bits.
    public var rawValue: UInt8
    /// The permissions `rawValue`.
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Loads allowed.
    @inlinable public static var read: PagePermissions { PagePermissions(rawValue: 1 << 0) }
    /// Stores allowed.
    @inlinable public static var write: PagePermissions { PagePermissions(rawValue: 1 << 1) }
    /// Instruction fetches allowed.
    @inlinable public static var execute: PagePermissions { PagePermissions(rawValue: 1 << 2) }
    /// User-mode access allowed.
    @inlinable public static var user: PagePermissions { PagePermissions(rawValue: 1 << 3) }
    /// The translation is global: it survives an address-space switch.
    @inlinable public static var global: PagePermissions { PagePermissions(rawValue: 1 << 4) }
    /// The leaf's dirty bit is set: a store needs no walk to set it.
    @inlinable public static var dirty: PagePermissions { PagePermissions(rawValue: 1 << 5) }
}

/// Who makes an access and what kind it is, for the permission check.
public struct AccessIntent: Hashable, Sendable {
    /// A load, a store or an instruction fetch.
    public var kind: AccessKind
    /// User mode (CPL 3, RISC-V U-mode) rather than supervisor.
    public var user: Bool
    /// An access of `kind`, in user mode unless `user` is false.
    @inlinable public init(_ kind: AccessKind, user: Bool = true) { self.kind = kind; self.user = user }
}

extension EntryBits {
    /// The entry that points to a next-level table at `physical`: x86 P|RW|US (P alone in a PAE
    /// PDPTE, whose other bits are reserved), RISC-V V with R=W=X=0.
    ///
    /// Linux also presets A and D in table entries (`_PAGE_TABLE` = 0x67) so the processor need
    /// not write them; VMSim leaves them clear so that the walk visibly sets A.
    /// - Complexity: O(1).
    @inlinable public func tableEntry(_ physical: UInt64, carriesPermissions: Bool) -> UInt64 {
        var e = present | addressBits(physical)
        if carriesPermissions && family == .x86 { e |= writable | user }
        return e
    }

    /// The leaf entry mapping a page at `physical` with `flags`; `huge` sets x86's PS bit.
    /// - Complexity: O(1).
    @inlinable public func leafEntry(_ physical: UInt64, flags: PageFlags, huge: Bool) -> UInt64 {
        var e = present | addressBits(physical)
        if flags.contains(.read) { e |= readable }
        if flags.contains(.write) { e |= writable }
        if flags.contains(.execute) { e |= executable } else { e |= noExecute }
        if flags.contains(.user) { e |= user }
        if flags.contains(.global) { e |= global }
        if flags.contains(.accessed) { e |= accessed }
        if flags.contains(.dirty) { e |= dirty }
        if flags.contains(.writeThrough) { e |= writeThrough }
        if flags.contains(.cacheDisable) { e |= cacheDisable }
        if huge && family == .x86 { e |= leaf }
        return e
    }

    /// The flags a leaf entry encodes (the inverse of `leafEntry`, up to what the format has).
    /// - Complexity: O(1).
    public func flags(of entry: UInt64) -> PageFlags {
        var f: PageFlags = []
        if readable == 0 || entry & readable != 0 { f.insert(.read) }
        if entry & writable != 0 { f.insert(.write) }
        if (executable != 0 && entry & executable != 0) || (executable == 0 && entry & noExecute == 0) { f.insert(.execute) }
        if entry & user != 0 { f.insert(.user) }
        if entry & global != 0 { f.insert(.global) }
        if entry & accessed != 0 { f.insert(.accessed) }
        if entry & dirty != 0 { f.insert(.dirty) }
        if writeThrough != 0 && entry & writeThrough != 0 { f.insert(.writeThrough) }
        if cacheDisable != 0 && entry & cacheDisable != 0 { f.insert(.cacheDisable) }
        return f
    }

    /// The names of the bits set in `entry`, lowest first (`P RW US A`), for explanations.
    /// - Complexity: O(1): at most ten named bits.
    public func describe(_ entry: UInt64) -> [String] {
        names.filter { entry & $0.mask != 0 }.map(\.name)
    }
}
