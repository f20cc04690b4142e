/// A populated zone (`struct zone`): its span, watermarks, lowmem reserves, free-page count and
/// per-CPU list parameters.
public struct Zone: Sendable {
    /// The zone type (DMA, DMA32 or Normal).
    public let type: ZoneType
    /// `zone_start_pfn`.
    public let startPfn: Int
    /// `spanned_pages`; VMSim has no holes, so `present_pages` and `managed_pages` are equal to it.
    public let spanned: Int
    /// `managed_pages`.
    public var managed: Int { spanned }
    /// One past the last pfn.
    public var endPfn: Int { startPfn + spanned }
    /// `_watermark[WMARK_MIN ... WMARK_PROMO]` (the boost is always 0 here).
    public internal(set) var watermarks: Watermarks.Levels
    /// `lowmem_reserve[]`, one entry per `ZoneType` (printed as `protection:`).
    public internal(set) var lowmemReserve: [Int] {
        get { [reserve.0, reserve.1, reserve.2, reserve.3, reserve.4] }
        set { reserve = (newValue[0], newValue[1], newValue[2], newValue[3], newValue[4]) }
    }
    /// `lowmem_reserve[]` kept inline so that `Zone` stays a trivial type on the hot path.
    var reserve: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)
    /// `NR_FREE_PAGES`: pages on this zone's buddy free lists (not on per-CPU lists).
    public internal(set) var nrFreePages: Int
    /// The per-CPU lists' `batch`, from `zone_batchsize()`.
    public internal(set) var batch: Int
    /// `high_min` from `zone_highsize()` on the low watermark, and `high_max` on managed/8.
    public internal(set) var highMin: Int
    public internal(set) var highMax: Int
    /// Index of `free_area[0].free_list[0]` in the allocator's list table.
    let freeListBase: Int
    /// Index of CPU 0's `per_cpu_pages` in the allocator's pcp table.
    let pcpBase: Int

    /// `lowmem_reserve[highest]`.
    @inline(__always)
    func reserve(for highest: Int) -> Int {
        switch highest {
        case 0: reserve.0
        case 1: reserve.1
        case 2: reserve.2
        case 3: reserve.3
        default: reserve.4
        }
    }

    /// Pages allocated from this zone (`pgalloc_<zone>`).
    var pgalloc = 0

    /// The watermark value (`wmark_pages()`) for `mark`.
    @inline(__always)
    func mark(_ m: Watermarks.Mark) -> Int {
        switch m {
        case .min: watermarks.min
        case .low: watermarks.low
        case .high: watermarks.high
        }
    }
}
