/// A page's mobility class, the kernel's `enum migratetype` (include/linux/mmzone.h).
///
/// VMSim models the configuration of a typical x86-64 distribution kernel, which has CMA and
/// memory isolation built in, so `MIGRATE_TYPES` is 6 and /proc/pagetypeinfo has six columns.
/// Allocations use the first three (`MIGRATE_PCPTYPES`); the others are never populated here.
public enum MigrateType: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    /// `MIGRATE_UNMOVABLE`: kernel allocations that never move.
    case unmovable = 0
    /// `MIGRATE_MOVABLE`: user pages, which compaction could move.
    case movable = 1
    /// `MIGRATE_RECLAIMABLE`: caches that reclaim could free.
    case reclaimable = 2
    /// `MIGRATE_HIGHATOMIC`: the high-order atomic reserve (empty here).
    case highAtomic = 3
    /// `MIGRATE_CMA`: the contiguous memory allocator's pageblocks (empty here).
    case cma = 4
    /// `MIGRATE_ISOLATE`: pageblocks isolated for offlining or compaction (empty here).
    case isolate = 5

    /// `MIGRATE_TYPES`.
    public static let count = 6
    /// `MIGRATE_PCPTYPES`: the types that have per-CPU lists and can be requested.
    public static let pcpTypes = 3

    /// The kernel's `migratetype_names[]` entry, as printed in /proc/pagetypeinfo.
    public var kernelName: String {
        switch self {
        case .unmovable: "Unmovable"
        case .movable: "Movable"
        case .reclaimable: "Reclaimable"
        case .highAtomic: "HighAtomic"
        case .cma: "CMA"
        case .isolate: "Isolate"
        }
    }

    /// The kernel's name.
    public var description: String { kernelName }

    /// Parses the script spelling (`unmovable`, `movable`, `reclaimable`, case-insensitive).
    /// - Complexity: O(n) in the length of `requestName`.
    public init?(requestName: String) {
        switch requestName.lowercased() {
        case "unmovable": self = .unmovable
        case "movable": self = .movable
        case "reclaimable": self = .reclaimable
        default: return nil
        }
    }

    /// `fallbacks[][]` of mm/page_alloc.c: the foreign free lists an allocation of this type may
    /// take from, in order, when its own are empty.
    @inlinable
    var fallbacks: (MigrateType, MigrateType) {
        switch self {
        case .unmovable: (.reclaimable, .movable)
        case .movable: (.reclaimable, .unmovable)
        default: (.unmovable, .movable)
        }
    }
}

/// A memory zone type, the kernel's `enum zone_type` for x86-64 with `CONFIG_ZONE_DMA`,
/// `CONFIG_ZONE_DMA32` and `CONFIG_ZONE_DEVICE` (so `MAX_NR_ZONES` is 5). VMSim populates DMA,
/// DMA32 and Normal; Movable and Device always exist but are empty, as on most machines.
public enum ZoneType: Int, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// `ZONE_DMA`: the first 16 MiB.
    case dma = 0
    /// `ZONE_DMA32`: up to 4 GiB.
    case dma32 = 1
    /// `ZONE_NORMAL`: the rest.
    case normal = 2
    /// `ZONE_MOVABLE`: always empty here.
    case movable = 3
    /// `ZONE_DEVICE`: always empty here.
    case device = 4

    /// `MAX_NR_ZONES`.
    public static let count = 5

    /// `zone_names[]` in mm/page_alloc.c.
    public var kernelName: String {
        switch self {
        case .dma: "DMA"
        case .dma32: "DMA32"
        case .normal: "Normal"
        case .movable: "Movable"
        case .device: "Device"
        }
    }

    /// The kernel's name.
    public var description: String { kernelName }

    /// `sysctl_lowmem_reserve_ratio[]` defaults: 256 for DMA and DMA32, 32 for Normal, 0 above.
    public var lowmemReserveRatio: Int {
        switch self {
        case .dma, .dma32: 256
        case .normal: 32
        case .movable, .device: 0
        }
    }

    /// Parses a zone name that a script may populate (`DMA`, `DMA32`, `Normal`, case-insensitive).
    /// - Complexity: O(n) in the length of `configName`.
    public init?(configName: String) {
        switch configName.lowercased() {
        case "dma": self = .dma
        case "dma32": self = .dma32
        case "normal": self = .normal
        default: return nil
        }
    }

    /// Orders zones as the kernel numbers them, DMA lowest.
    /// - Complexity: O(1).
    public static func < (a: ZoneType, b: ZoneType) -> Bool { a.rawValue < b.rawValue }
}
