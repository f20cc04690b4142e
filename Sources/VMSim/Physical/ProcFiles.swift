/// The kernel's text files about physical memory, rendered byte for byte in the kernel's formats
/// from a `PhysicalMemory` (and a `SlabAllocator`). Node 0 only. Pure functions returning String.
public enum ProcFiles {
    /// `%Nd` / `%Ns`: right-aligned in `width` columns (never truncated).
    static func right(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// `%-Ns`: left-aligned in `width` columns.
    static func left(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func right(_ n: Int, _ width: Int) -> String { right(String(n), width) }

    /// `"Node %d, zone %8s "` (frag_show_print and friends).
    static func zonePrefix(_ zone: Zone) -> String { "Node 0, zone " + right(zone.type.kernelName, 8) + " " }

    /// /proc/buddyinfo (`frag_show_print()`): per populated zone, `nr_free` of each order as `%6lu `.
    /// - Complexity: O(zones × orders).
    public static func buddyinfo(_ mem: PhysicalMemory) -> String {
        var out = ""
        for (slot, zone) in mem.zones.enumerated() {
            out += zonePrefix(zone)
            for order in 0...mem.maxOrder { out += right(mem.nrFree(zoneSlot: slot, order: order), 6) + " " }
            out += "\n"
        }
        return out
    }

    /// /proc/pagetypeinfo (`pagetypeinfo_show()`): the pageblock order, the free blocks per
    /// migrate type and order (capped at `>100000` as the kernel caps its list walk), and the
    /// pageblocks per migrate type.
    /// - Complexity: O(zones × (orders × types + pageblocks)).
    public static func pagetypeinfo(_ mem: PhysicalMemory) -> String {
        var out = "Page block order: \(mem.pageblockOrder)\n"
        out += "Pages per block:  \(1 << mem.pageblockOrder)\n\n"
        out += left("Free pages count per migrate type at order", 43) + " "
        for order in 0...mem.maxOrder { out += right(order, 6) + " " }
        out += "\n"
        for (slot, zone) in mem.zones.enumerated() {
            for mt in MigrateType.allCases {
                out += "Node " + right(0, 4) + ", zone " + right(zone.type.kernelName, 8) + ", type "
                    + right(mt.kernelName, 12) + " "
                for order in 0...mem.maxOrder {
                    let n = mem.freeListCount(zoneSlot: slot, order: order, migratetype: mt)
                    out += n >= 100_000 ? ">100000 " : right(n, 6) + " "
                }
                out += "\n"
            }
        }
        out += "\n" + left("Number of blocks type ", 23)
        for mt in MigrateType.allCases { out += right(mt.kernelName, 12) + " " }
        out += "\n"
        for (slot, zone) in mem.zones.enumerated() {
            out += zonePrefix(zone)
            for n in mem.pageblockCounts(zoneSlot: slot) { out += right(n, 12) + " " }
            out += "\n"
        }
        return out
    }

    /// The zone and watermark part of /proc/zoneinfo (`zoneinfo_show_print()`): every zone type
    /// of the node, populated or not, with free pages, boost, min/low/high/promo, spanned, present,
    /// managed, cma and protection; for populated zones also the per-CPU pagesets and the tail
    /// lines. The per-node and per-zone vmstat counter lines are left out.
    /// - Complexity: O(zone types × cpus).
    public static func zoneinfo(_ mem: PhysicalMemory) -> String {
        var out = ""
        for type in ZoneType.allCases {
            let slot = mem.zoneSlot(type)
            let zone = slot.map { mem.zones[$0] }
            let w = zone?.watermarks ?? .init(min: 0, low: 0, high: 0, promo: 0)
            out += "Node 0, zone " + right(type.kernelName, 8)
            out += "\n  pages free     \(zone?.nrFreePages ?? 0)"
            out += "\n        boost    0"
            out += "\n        min      \(w.min)"
            out += "\n        low      \(w.low)"
            out += "\n        high     \(w.high)"
            out += "\n        promo    \(w.promo)"
            out += "\n        spanned  \(zone?.spanned ?? 0)"
            out += "\n        present  \(zone?.spanned ?? 0)"
            out += "\n        managed  \(zone?.managed ?? 0)"
            out += "\n        cma      0"
            // An empty zone's lowmem_reserve is all 0: its ratio is cleared when it has no pages.
            let reserve = zone?.lowmemReserve ?? [Int](repeating: 0, count: ZoneType.count)
            out += "\n        protection: (" + reserve.map(String.init).joined(separator: ", ") + ")"
            guard let slot, let zone else {
                out += "\n"
                continue
            }
            out += "\n  pagesets"
            let threshold = PerCPUSizing.statThreshold(managed: zone.managed, cpus: mem.cpus)
            for p in mem.pcpState(zoneSlot: slot) {
                out += "\n    cpu: \(p.cpu)"
                out += "\n              count:    \(p.count)"
                out += "\n              high:     \(p.high)"
                out += "\n              batch:    \(p.batch)"
                out += "\n              high_min: \(p.highMin)"
                out += "\n              high_max: \(p.highMax)"
                out += "\n  vm stats threshold: \(threshold)"
            }
            out += "\n  node_unreclaimable:  0"
            out += "\n  start_pfn:           \(zone.startPfn)"
            out += "\n  reserved_highatomic: 0"
            out += "\n  free_highatomic:     0"
            out += "\n"
        }
        return out
    }

    /// `"%2d.%03d "` of an index × 1000 (extfrag_index; -1000 prints as `-1.000`).
    static func extfragField(_ index: Int) -> String {
        right(String(index / 1000), 2) + "." + threeDigits(abs(index % 1000)) + " "
    }

    static func threeDigits(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 3 - s.count)) + s
    }

    /// debugfs extfrag/extfrag_index (`extfrag_show_print()`): `__fragmentation_index()` per order.
    /// - Complexity: O(zones × orders²).
    public static func extfragIndex(_ mem: PhysicalMemory) -> String {
        var out = ""
        for (slot, zone) in mem.zones.enumerated() {
            out += zonePrefix(zone)
            for index in Fragmentation.extfragIndices(nrFree: mem.nrFreeCounts(zoneSlot: slot)) {
                out += extfragField(index)
            }
            out += "\n"
        }
        return out
    }

    /// debugfs extfrag/unusable_index (`unusable_show_print()`): `"%d.%03d "` per order.
    /// - Complexity: O(zones × orders²).
    public static func unusableIndex(_ mem: PhysicalMemory) -> String {
        var out = ""
        for (slot, zone) in mem.zones.enumerated() {
            out += zonePrefix(zone)
            for index in Fragmentation.unusableIndices(nrFree: mem.nrFreeCounts(zoneSlot: slot)) {
                out += String(index / 1000) + "." + threeDigits(index % 1000) + " "
            }
            out += "\n"
        }
        return out
    }

    /// The header of /proc/slabinfo (`print_slabinfo_header()`, version 2.1).
    public static let slabinfoHeader = "slabinfo - version: 2.1\n"
        + "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
        + " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"

    /// /proc/slabinfo (`cache_show()` over `slab_caches`, newest cache first): per cache
    /// `"%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu"` with SLUB's
    /// `get_slabinfo()` values (tunables 0, active slabs = all slabs).
    /// - Complexity: O(caches + partial slabs).
    public static func slabinfo(_ slub: SlabAllocator) -> String {
        var out = slabinfoHeader
        for c in slub.caches.indices.reversed() {
            let cache = slub.caches[c]
            let active = cache.totalObjects - slub.partialFreeObjects(cache: c)
            out += left(cache.name, 17) + " " + right(active, 6) + " " + right(cache.totalObjects, 6) + " "
                + right(cache.size, 6) + " " + right(cache.objectsPerSlab, 4) + " " + right(cache.pagesPerSlab, 4)
            out += " : tunables " + right(0, 4) + " " + right(0, 4) + " " + right(0, 4)
            out += " : slabdata " + right(cache.nrSlabs, 6) + " " + right(cache.nrSlabs, 6) + " " + right(0, 6)
            out += "\n"
        }
        return out
    }
}

extension ProcFiles {
    /// The counters of `show stats`, as `name value` lines in the style of /proc/vmstat: the
    /// kernel's names where it has the counter (`nr_free_pages`, `pgalloc_*`, `pgfree`), VMSim's
    /// own for the rest.
    /// - Complexity: O(zones × cpus + caches).
    public static func statsLines(_ mem: PhysicalMemory, _ slub: SlabAllocator) -> [(String, Int)] {
        let s = mem.stats
        return [
            ("nr_free_pages", mem.freePagesTotal),
            ("nr_pcp_pages", mem.pcpPages),
            ("nr_allocated_pages", mem.allocatedPages),
            ("nr_slab_pages", slub.slabPages),
            ("nr_kmalloc_large_pages", slub.largePages),
            ("pgalloc_dma", s.pgalloc[ZoneType.dma.rawValue]),
            ("pgalloc_dma32", s.pgalloc[ZoneType.dma32.rawValue]),
            ("pgalloc_normal", s.pgalloc[ZoneType.normal.rawValue]),
            ("pgfree", s.pgfree),
            ("alloc_success", s.allocations),
            ("alloc_fail", s.allocationFailures),
            ("alloc_fallback", s.fallbacks),
            ("pageblock_claim", s.fallbackClaims),
            ("pcp_refill", s.pcpRefills),
            ("pcp_drain", s.pcpDrains),
        ]
    }

    /// `show stats`: `statsLines` as text.
    /// - Complexity: O(zones × cpus + caches).
    public static func stats(_ mem: PhysicalMemory, _ slub: SlabAllocator) -> String {
        statsLines(mem, slub).map { "\($0.0) \($0.1)\n" }.joined()
    }
}
