/// The shape of a TLB hierarchy as data: which levels there are, what each serves, and the
/// set-associative arrays inside each (one per group of page sizes, as the hardware has them).
///
/// Written on the command line as `NAME=ARRAY[+ARRAY...][,NAME=...]`, where NAME is `l1i`, `l1d`,
/// `l1` (unified), `l2i`, `l2d` or `l2` (unified), and ARRAY is `[SIZES:]ENTRIESxWAYS` (or
/// `[SIZES:]ENTRIES`, fully associative) with SIZES like `4K` or `2M/4M` (default: the base page).
///
///     let skylake = TLBSpec.skylake
///     let custom = try TLBSpec(parsing: "l1d=4K:64x4+2M:32x4,l2=4K/2M:1536x12")
public struct TLBSpec: Hashable, Sendable, CustomStringConvertible {
    /// What a level translates.
    public enum Serves: String, Hashable, Sendable {
        /// Instruction fetches only (`l1i`, `l2i`), data only (`l1d`, `l2d`), or both (`l1`, `l2`).
        case instruction, data, both
        @inlinable func serves(_ kind: AccessKind) -> Bool {
            switch self {
            case .both: true
            case .instruction: kind == .instruction
            case .data: kind != .instruction
            }
        }
    }

    /// One set-associative array.
    public struct Array: Hashable, Sendable {
        /// The page sizes (log2) it holds; empty means the format's base page.
        public var pageShifts: [UInt8]
        /// Entries in all.
        public var entries: Int
        /// Ways per set (`entries` for a fully associative array).
        public var ways: Int
        /// `entries / ways`.
        public var sets: Int { entries / ways }
        /// An array of `entries` entries in sets of `ways`.
        public init(pageShifts: [UInt8], entries: Int, ways: Int) {
            self.pageShifts = pageShifts
            self.entries = entries
            self.ways = ways
        }
    }

    /// One level: `l1d`, `l2`, ...
    public struct Level: Hashable, Sendable {
        /// `l1i`, `l1d`, `l1`, `l2i`, `l2d` or `l2`.
        public var name: String
        /// 1 or 2.
        public var tier: Int
        /// What the level translates.
        public var serves: Serves
        /// Its arrays, probed together.
        public var arrays: [Array]
        /// A level of `arrays`.
        public init(name: String, tier: Int, serves: Serves, arrays: [Array]) {
            self.name = name
            self.tier = tier
            self.serves = serves
            self.arrays = arrays
        }
    }

    /// The levels, tier 1 first.
    public var levels: [Level]
    /// The preset's name, or `nil` for a spec written out.
    public var presetName: String?

    /// A hierarchy of `levels`.
    public init(levels: [Level], presetName: String? = nil) {
        self.levels = levels
        self.presetName = presetName
    }

    /// No TLB: every access walks.
    public static let none = TLBSpec(levels: [], presetName: "none")

    /// Intel Skylake (client), from the Intel 64 and IA-32 Architectures Optimization Reference
    /// Manual: ITLB 4K 128 entries 8-way, 2M/4M 8 entries; DTLB 4K 64 entries 4-way, 2M/4M 32
    /// entries 4-way, 1G 4 entries; STLB 4K+2M/4M 1536 entries 12-way, 1G 16 entries 4-way.
    public static let skylake = try! TLBSpec(
        levelsText: "l1i=4K:128x8+2M/4M:8x8,l1d=4K:64x4+2M/4M:32x4+1G:4x4,l2=4K/2M/4M:1536x12+1G:16x4", presetName: "skylake")

    /// AMD Zen 2, from AMD's Software Optimization Guide for family 17h: L1 ITLB and DTLB 64
    /// entries fully associative for every page size; L2 ITLB 512 entries 8-way and L2 DTLB 2048
    /// entries (4K and 2M; 1G pages are held as 2M pieces there). The L2 DTLB's associativity is
    /// modelled as 16-way (128 sets): 2048 entries do not divide into 12 ways.
    public static let zen2 = try! TLBSpec(
        levelsText: "l1i=4K/2M/1G:64,l1d=4K/2M/1G:64,l2i=4K/2M:512x8,l2d=4K/2M:2048x16", presetName: "zen2")

    /// The presets by name.
    public static let presets: [String: TLBSpec] = ["skylake": .skylake, "zen2": .zen2, "none": .none]

    /// Parses a preset name or a written-out spec (grammar in the type's documentation).
    /// - Throws: `FormatError` saying what is wrong and what was expected.
    /// - Complexity: O(n) in the length of `text`.
    public init(parsing text: String) throws(FormatError) {
        if let preset = Self.presets[text.lowercased()] { self = preset; return }
        try self.init(levelsText: text, presetName: nil)
    }

    init(levelsText text: String, presetName: String?) throws(FormatError) {
        var levels: [Level] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(part).filter { $0 != " " }
            guard let eq = item.firstIndex(of: "=") else {
                throw FormatError("TLB level '\(item)' needs NAME=ARRAYS (NAME one of l1i, l1d, l1, l2i, l2d, l2), or use a preset: skylake, zen2, none")
            }
            let name = item[..<eq].lowercased()
            let (tier, serves): (Int, Serves)
            switch name {
            case "l1i": (tier, serves) = (1, .instruction)
            case "l1d": (tier, serves) = (1, .data)
            case "l1": (tier, serves) = (1, .both)
            case "l2i": (tier, serves) = (2, .instruction)
            case "l2d": (tier, serves) = (2, .data)
            case "l2": (tier, serves) = (2, .both)
            default: throw FormatError("unknown TLB level '\(name)'; use l1i, l1d, l1, l2i, l2d or l2")
            }
            if levels.contains(where: { $0.name == name }) { throw FormatError("TLB level \(name) is given twice") }
            var arrays: [Array] = []
            for a in item[item.index(after: eq)...].split(separator: "+", omittingEmptySubsequences: false) {
                arrays.append(try Self.parseArray(String(a), level: name))
            }
            levels.append(Level(name: name, tier: tier, serves: serves, arrays: arrays))
        }
        for kind in [AccessKind.load, .instruction] {
            for tier in 1...2 where levels.filter({ $0.tier == tier && $0.serves.serves(kind) }).count > 1 {
                throw FormatError("two tier-\(tier) TLB levels serve \(kind == .load ? "data" : "instructions"); use l\(tier) or l\(tier)i + l\(tier)d")
            }
        }
        self.levels = levels
        self.presetName = presetName
    }

    static func parseArray(_ text: String, level: String) throws(FormatError) -> Array {
        var shifts: [UInt8] = []
        var shape = Substring(text)
        if let colon = text.firstIndex(of: ":") {
            for s in text[..<colon].split(separator: "/") {
                guard let size = PageSize(parsing: String(s)) else {
                    throw FormatError("'\(s)' in TLB array '\(text)' (\(level)) is not a page size such as 4K, 2M or 1G")
                }
                shifts.append(size.shift)
            }
            shape = text[text.index(after: colon)...]
        }
        let parts = shape.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let entries = Int(parts[0]), entries > 0 else {
            throw FormatError("TLB array '\(text)' (\(level)) needs ENTRIESxWAYS (e.g. 64x4) or ENTRIES (fully associative)")
        }
        let ways = parts.count == 2 ? Int(parts[1]) ?? 0 : entries
        guard ways > 0, entries % ways == 0 else {
            throw FormatError("TLB array '\(text)' (\(level)): \(entries) entries do not divide into \(parts.count == 2 ? String(parts[1]) : "?") ways")
        }
        let sets = entries / ways
        guard sets & (sets - 1) == 0 else {
            throw FormatError("TLB array '\(text)' (\(level)) has \(sets) sets; the set count must be a power of two")
        }
        guard entries <= 1 << 20 else { throw FormatError("TLB array '\(text)' (\(level)) is larger than 2^20 entries") }
        return Array(pageShifts: shifts, entries: entries, ways: ways)
    }

    /// The preset's name, or the spec written out in the syntax `init(parsing:)` reads.
    /// - Complexity: O(levels + arrays).
    public var description: String {
        if let presetName { return presetName }
        return levels.map { l in
            l.name + "=" + l.arrays.map { a in
                let sizes = a.pageShifts.map { PageSize(shift: $0).description }.joined(separator: "/")
                return (sizes.isEmpty ? "" : sizes + ":") + "\(a.entries)" + (a.ways == a.entries ? "" : "x\(a.ways)")
            }.joined(separator: "+")
        }.joined(separator: ",")
    }
}

/// The sizes of the paging-structure caches, one per pointer level counted from the deepest
/// (the cache of entries that point to last-level tables) upward; empty for none.
///
/// Intel does not publish them for recent cores; the default (PDE cache 32 entries, PDPTE cache 4,
/// PML4E cache 2) is the Core i7 measurement of Barr, Cox and Rixner (ISCA 2010).
public struct WalkCacheSpec: Hashable, Sendable, CustomStringConvertible {
    /// Entries per cache, deepest pointer level first.
    public var entries: [Int]
    /// Caches of `entries` entries, deepest pointer level first.
    public init(entries: [Int]) { self.entries = entries }

    /// Barr, Cox and Rixner's Core i7 sizes: PDE cache 32, PDPTE cache 4, PML4E cache 2.
    public static let `default` = WalkCacheSpec(entries: [32, 4, 2])
    /// No paging-structure caches: every walk starts at the root.
    public static let none = WalkCacheSpec(entries: [])

    /// Parses `none` or comma-separated sizes written top level first (`2,4,32`), as the levels are
    /// read in a walk.
    /// - Complexity: O(n) in the length of `text`.
    public init(parsing text: String) throws(FormatError) {
        if text.lowercased() == "none" || text == "0" { self = .none; return }
        var sizes: [Int] = []
        for s in text.split(separator: ",") {
            guard let n = Int(s.filter { $0 != " " }), n >= 0, n <= 4096 else {
                throw FormatError("walk-cache sizes are entry counts 0-4096, top level first (e.g. 2,4,32) or 'none'; got '\(s)'")
            }
            sizes.append(n)
        }
        guard !sizes.isEmpty else { throw FormatError("give walk-cache sizes (e.g. 2,4,32) or 'none'") }
        // Caches of 0 entries are not built, so all zeros is none (and prints as such, not as "0,0").
        if sizes.allSatisfy({ $0 == 0 }) { self = .none; return }
        entries = sizes.reversed()
    }

    /// `none`, or the sizes top level first (`2,4,32`).
    /// - Complexity: O(levels).
    public var description: String { entries.isEmpty ? "none" : entries.reversed().map(String.init).joined(separator: ",") }
}
