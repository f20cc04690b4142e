import VMSim
import VMTrace

/// Runs an access trace through an MMU (TLBs, walk caches, page tables), mapping pages on first
/// touch from simulated physical memory, and optionally writes the translated physical-address
/// trace in the input's format.
public enum TranslationReplay {
    /// Replays `path` (`-` for standard input) under `config`.
    /// `options.pageSize` turns plain and oracle-general page numbers into addresses.
    /// - Complexity: O(accesses) translations in bounded memory (plus the page tables).
    public static func run(path: String, options: AccessTraceOptions, config: TranslationConfig,
                           emitPath: String? = nil) throws(TraceError) -> TranslationReport {
        let input = try TraceInput(path: path)
        let displayName = input.displayName
        do {
            try config.validate()
        } catch {
            throw TraceError(file: displayName, message: error.message)
        }
        let memory = FrameAllocator(bytes: config.memoryBytes, frameSize: config.format.basePage)
        do {
            switch config.organisation {
            case .radix:
                let mmu = try MMU<RadixPageTable>(format: config.format, tlb: config.tlb, walkCache: config.walkCache, memory: memory)
                return try replay(mmu, input: input, options: options, config: config, emitPath: emitPath)
            case .hashed:
                let mmu = try MMU<HashedPageTable>(format: config.format, tlb: config.tlb, memory: memory)
                return try replay(mmu, input: input, options: options, config: config, emitPath: emitPath)
            case .inverted:
                let mmu = try MMU<InvertedPageTable>(format: config.format, tlb: config.tlb, memory: memory)
                return try replay(mmu, input: input, options: options, config: config, emitPath: emitPath)
            }
        } catch let error as TraceError {
            throw error
        } catch {
            throw TraceError(file: displayName, message: "\(error)")
        }
    }

    /// Records translated per step: keeps the output buffer small whatever the batch size.
    static let chunk = 4096

    static func replay<T: PageTable>(_ mmu: MMU<T>, input: TraceInput, options: AccessTraceOptions,
                                     config: TranslationConfig, emitPath: String?) throws -> TranslationReport {
        var sim = try TraceTranslation(mmu: mmu, mapSize: config.mapSize)
        let reader = try input.openAddresses(options)
        let writer = try emitPath.map { p throws(TraceError) in try PhysicalTraceWriter(path: p, format: reader.format, pageSize: options.pageSize) }
        // An access of at most 64 KiB (Lackey's largest) touches at most 17 pages of 4 KiB or more.
        let perAccess = Int(AccessTrace.largestAccessBytes >> UInt64(config.format.basePage.shift)) + 1
        let out: UnsafeMutablePointer<AddressAccess>? = writer == nil ? nil : .allocate(capacity: chunk * perAccess)
        defer { out?.deallocate() }
        var kinds = AccessKindCounts()
        // Each TLB level's lookups and hits, the walks and the page faults, over the records.
        var sampler = SeriesSampler(unit: "accesses", columns: sim.mmu.tlb.stats.flatMap { ["\($0.name).lookups", "\($0.name).hits"] }
                                    + ["walks", "pageFaults"], spacing: 256)
        func sample() -> [Double] {
            sim.mmu.tlb.stats.flatMap { [Double($0.lookups), Double($0.hits)] } + [Double(sim.mmu.stats.walks), Double(sim.counts.pageFaults)]
        }
        try forEachBatch(reader.nextBatch) { batch throws(TraceError) in
            for a in batch { kinds.count(a.kind) }
            try sampler.feed(UnsafeBufferPointer(batch), run: { records throws(TraceError) in
                var start = 0
                while start < records.count {
                    let end = min(records.count, start + chunk)
                    let n = sim.run(UnsafeBufferPointer(rebasing: records[start..<end]), into: out)
                    if let writer, let out { try writer.write(UnsafeBufferPointer(start: out, count: n)) }
                    start = end
                }
            }, sample: sample)
        }
        try writer?.flush()
        guard sim.counts.records > 0 else { throw input.empty() }
        let trace = TraceSummary(name: input.displayName, format: reader.format.rawValue, pageSize: options.pageSize,
                                 records: sim.counts.records, writes: kinds.stores + kinds.modifies, kinds: kinds)
        var report = TranslationReport(trace: trace, config: config, run: sim)
        report.series = SeriesSampler.isEnabled ? sampler.finished(sample: sample) : nil
        report.emittedPath = emitPath
        report.emittedLines = writer?.lines
        return report
    }
}
