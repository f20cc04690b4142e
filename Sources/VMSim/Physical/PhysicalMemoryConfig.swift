/// One zone to populate: its type and its size in pages. Zones are laid out in `ZoneType`
/// order, each starting where the previous one ends, the first at pfn 0.
public struct ZoneSpec: Hashable, Sendable {
    /// The zone type: DMA, DMA32 or Normal.
    public var type: ZoneType
    /// Its size in 4 KiB pages.
    public var pages: Int
    /// A zone of `pages` pages.
    public init(type: ZoneType, pages: Int) {
        self.type = type
        self.pages = pages
    }
}

/// How to build a `PhysicalMemory`: the zones, the CPU count, whether per-CPU lists are on, the
/// largest buddy order and the two watermark sysctls.
public struct PhysicalMemoryConfig: Hashable, Sendable {
    /// The populated zones, in ascending `ZoneType` order.
    public var zones: [ZoneSpec]
    /// The number of CPUs: each has its own per-CPU page lists; SLUB sizes slabs by it.
    public var cpus: Int
    /// Per-CPU page lists on (the kernel's behaviour) or off (every page goes straight to the
    /// buddy lists, as with the boot pageset whose `high` is 0).
    public var pcpEnabled: Bool
    /// `MAX_PAGE_ORDER` (10 on x86-64).
    public var maxOrder: Int
    /// `vm.min_free_kbytes`; `nil` computes it as the kernel does at boot.
    public var minFreeKbytes: Int?
    /// `vm.watermark_scale_factor` (default 10, i.e. 0.1% of the zone).
    public var watermarkScaleFactor: Int

    /// The most pages VMSim simulates (64 GiB of 4 KiB pages).
    public static let maxPages = 1 << 24
    /// The most CPUs VMSim simulates.
    public static let maxCPUs = 1024
    /// The largest configurable `MAX_PAGE_ORDER`.
    public static let maxMaxOrder = 20

    /// A configuration; check `problem` before building it.
    public init(zones: [ZoneSpec], cpus: Int = 1, pcpEnabled: Bool = true, maxOrder: Int = 10,
                minFreeKbytes: Int? = nil, watermarkScaleFactor: Int = 10) {
        self.zones = zones
        self.cpus = cpus
        self.pcpEnabled = pcpEnabled
        self.maxOrder = maxOrder
        self.minFreeKbytes = minFreeKbytes
        self.watermarkScaleFactor = watermarkScaleFactor
    }

    /// One Normal zone of `pages` pages, the layout of `memory SIZE` in a buddy script.
    /// - Complexity: O(1).
    public static func normal(pages: Int, cpus: Int = 1) -> PhysicalMemoryConfig {
        PhysicalMemoryConfig(zones: [ZoneSpec(type: .normal, pages: pages)], cpus: cpus)
    }

    /// Why this configuration cannot be built, or `nil` when it can.
    /// - Complexity: O(zones).
    public var problem: String? {
        if zones.isEmpty { return "no memory: give `memory SIZE` or `zone NAME SIZE` lines" }
        var total = 0
        var previous: ZoneType?
        for z in zones {
            if z.type > .normal { return "zone \(z.type) cannot be populated; use DMA, DMA32 or Normal" }
            if let p = previous, z.type <= p {
                return "zone \(z.type) is out of order: zones go DMA, DMA32, Normal, each at most once"
            }
            if z.pages <= 0 { return "zone \(z.type) needs at least one page" }
            total += z.pages
            previous = z.type
        }
        if total > Self.maxPages { return "\(total) pages is more than VMSim simulates (at most \(Self.maxPages), 64 GiB)" }
        if cpus < 1 || cpus > Self.maxCPUs { return "cpus must be between 1 and \(Self.maxCPUs)" }
        if maxOrder < 0 || maxOrder > Self.maxMaxOrder { return "the maximum order must be between 0 and \(Self.maxMaxOrder)" }
        if let k = minFreeKbytes, k < 0 { return "min_free_kbytes cannot be negative" }
        if watermarkScaleFactor < 1 || watermarkScaleFactor > 3000 {
            return "watermark_scale_factor must be between 1 and 3000"
        }
        return nil
    }
}
