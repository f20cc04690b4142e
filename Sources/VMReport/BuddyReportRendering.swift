import VMSim

/// Renders the final state of a `vmsim buddy` run as JSON (schema in docs/buddy.md).
public enum BuddyReportRendering {
    /// Something a script printed: its line, its kind (`buddyinfo` ... `stats`, `failure`,
    /// `random`, `check`, `trace`) and its text.
    public typealias Output = (line: Int, kind: String, text: String)

    /// The JSON document: the configuration, every zone's state (watermarks, free lists, indices,
    /// per-CPU lists), the slab caches, the counters, the failures and the outputs of `show`.
    /// - Complexity: O(zones × (orders² + pageblocks + cpus) + caches + outputs).
    public static func json(script: String, memory mem: PhysicalMemory, slub: SlabAllocator,
                            outputs: [Output], failures: [Output]) -> JSONValue {
        func ints(_ a: [Int]) -> JSONValue { .array(a.map { .int(Int64($0)) }) }
        func int(_ n: Int) -> JSONValue { .int(Int64(n)) }
        let zones: [JSONValue] = mem.zones.enumerated().map { slot, zone in
            let nrFree = mem.nrFreeCounts(zoneSlot: slot)
            let blocks = mem.pageblockCounts(zoneSlot: slot)
            return .object([
                ("name", .string(zone.type.kernelName)),
                ("startPfn", int(zone.startPfn)),
                ("managedPages", int(zone.managed)),
                ("freePages", int(zone.nrFreePages)),
                ("watermarks", .object([("min", int(zone.watermarks.min)), ("low", int(zone.watermarks.low)),
                                        ("high", int(zone.watermarks.high)), ("promo", int(zone.watermarks.promo))])),
                ("protection", ints(zone.lowmemReserve)),
                ("nrFree", ints(nrFree)),
                ("freeLists", .object(MigrateType.allCases.map { mt in
                    (mt.kernelName, ints((0...mem.maxOrder).map { mem.freeListCount(zoneSlot: slot, order: $0, migratetype: mt) }))
                })),
                ("pageblocks", .object(MigrateType.allCases.map { ($0.kernelName, int(blocks[Int($0.rawValue)])) })),
                ("extfragIndex", ints(Fragmentation.extfragIndices(nrFree: nrFree))),
                ("unusableIndex", ints(Fragmentation.unusableIndices(nrFree: nrFree))),
                ("pcp", .array(mem.pcpState(zoneSlot: slot).map { p in
                    .object([("cpu", int(p.cpu)), ("count", int(p.count)), ("high", int(p.high)), ("batch", int(p.batch)),
                             ("highMin", int(p.highMin)), ("highMax", int(p.highMax))])
                })),
            ])
        }
        let caches: [JSONValue] = slub.caches.indices.reversed().map { c in
            let cache = slub.caches[c]
            return .object([
                ("name", .string(cache.name)),
                ("objectSize", int(cache.objectSize)),
                ("size", int(cache.size)),
                ("align", int(cache.align)),
                ("order", int(cache.order)),
                ("objectsPerSlab", int(cache.objectsPerSlab)),
                ("pagesPerSlab", int(cache.pagesPerSlab)),
                ("minPartial", int(cache.minPartial)),
                ("activeObjects", int(cache.totalObjects - slub.partialFreeObjects(cache: c))),
                ("totalObjects", int(cache.totalObjects)),
                ("slabs", int(cache.nrSlabs)),
                ("partialSlabs", int(cache.nrPartial)),
            ])
        }
        func outputJSON(_ o: Output) -> JSONValue {
            .object([("line", int(o.line)), ("kind", .string(o.kind)), ("text", .string(o.text))])
        }
        return .object([
            ("command", .string("buddy")),
            ("script", .string(script)),
            ("config", .object([
                ("maxOrder", int(mem.maxOrder)),
                ("pageblockOrder", int(mem.pageblockOrder)),
                ("cpus", int(mem.cpus)),
                ("pcp", .bool(mem.pcpEnabled)),
                ("minFreeKbytes", int(mem.minFreeKbytes)),
                ("watermarkScaleFactor", int(mem.watermarkScaleFactor)),
                ("totalPages", int(mem.totalPages)),
            ])),
            ("zones", .array(zones)),
            ("slabCaches", .array(caches)),
            ("counters", .object(ProcFiles.statsLines(mem, slub).map { ($0.0, int($0.1)) })),
            ("failures", .array(failures.map(outputJSON))),
            ("outputs", .array(outputs.map(outputJSON))),
        ])
    }
}
