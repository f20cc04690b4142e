/// External fragmentation measures of mm/vmstat.c, over a zone's `nr_free` counts.
public enum Fragmentation {
    /// `struct contig_page_info`.
    public struct ContigPageInfo: Hashable, Sendable {
        /// `free_pages`: free pages over all orders.
        public var freePages: Int
        /// `free_blocks_total`: free blocks over all orders.
        public var freeBlocksTotal: Int
        /// `free_blocks_suitable`: blocks of the suitable order the free blocks could provide.
        public var freeBlocksSuitable: Int
    }

    /// `fill_contig_page_info()`: over all orders, the free blocks, the free pages and the number
    /// of blocks of `suitableOrder` that the free blocks of that order and above could provide.
    /// - Complexity: O(orders).
    public static func contigPageInfo(nrFree: [Int], suitableOrder: Int) -> ContigPageInfo {
        var info = ContigPageInfo(freePages: 0, freeBlocksTotal: 0, freeBlocksSuitable: 0)
        for (order, blocks) in nrFree.enumerated() {
            info.freeBlocksTotal += blocks
            info.freePages += blocks << order
            if order >= suitableOrder { info.freeBlocksSuitable += blocks << (order - suitableOrder) }
        }
        return info
    }

    /// `__fragmentation_index()` × 1000: 0 when nothing is free, -1000 when an allocation of
    /// `order` would succeed, else `1000 - (1000 + free_pages * 1000 / 2^order) / free_blocks_total`
    /// (near 0: failure from lack of memory; near 1000: from fragmentation).
    /// - Complexity: O(1).
    public static func fragmentationIndex(order: Int, info: ContigPageInfo) -> Int {
        if info.freeBlocksTotal == 0 { return 0 }
        if info.freeBlocksSuitable > 0 { return -1000 }
        return 1000 - (1000 + info.freePages * 1000 / (1 << order)) / info.freeBlocksTotal
    }

    /// `unusable_free_index()` × 1000: the share of free memory that cannot serve an allocation of
    /// `order`; 1000 when nothing is free.
    /// - Complexity: O(1).
    public static func unusableFreeIndex(order: Int, info: ContigPageInfo) -> Int {
        if info.freePages == 0 { return 1000 }
        return (info.freePages - (info.freeBlocksSuitable << order)) * 1000 / info.freePages
    }

    /// `extfrag_index` for every order of a zone with these `nr_free` counts.
    /// - Complexity: O(orders²).
    public static func extfragIndices(nrFree: [Int]) -> [Int] {
        nrFree.indices.map { fragmentationIndex(order: $0, info: contigPageInfo(nrFree: nrFree, suitableOrder: $0)) }
    }

    /// `unusable_index` for every order of a zone with these `nr_free` counts.
    /// - Complexity: O(orders²).
    public static func unusableIndices(nrFree: [Int]) -> [Int] {
        nrFree.indices.map { unusableFreeIndex(order: $0, info: contigPageInfo(nrFree: nrFree, suitableOrder: $0)) }
    }
}

extension PhysicalMemory {
    /// `free_area[order].nr_free` for every order of zone `slot`.
    /// - Complexity: O(orders).
    public func nrFreeCounts(zoneSlot slot: Int) -> [Int] {
        (0...maxOrder).map { nrFree(zoneSlot: slot, order: $0) }
    }
}
