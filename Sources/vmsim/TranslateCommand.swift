import ArgumentParser
import VMReport
import VMSim
import VMTrace
import VMDriver

extension PageTableOrganisation: ExpressibleByArgument {}

/// What `--access` names.
enum AccessChoice: String, ExpressibleByArgument, CaseIterable {
    case read, write, fetch
    var kind: AccessKind { self == .read ? .load : self == .write ? .store : .instruction }
}

struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate virtual addresses through page tables and TLBs: explain one walk, or run a trace.",
        discussion: """
            Explain mode prints every step of a page-table walk: the index at each level, the entry's \
            address, value and decoded bits, and the physical address or exactly why it faulted.
              vmsim translate --arch x86-64 --map 0x7fff0000=0x12345000:rwu --explain 0x7fff0abc
              vmsim translate --arch sv39 --mappings maps.txt --explain 0x80605678 --access write
              vmsim translate --arch x86-64 --host-arch x86-64 --map 0x7fff0000=0x40000000 --explain 0x7fff0abc

            Trace mode runs a trace through the TLBs and page tables, mapping each page on first \
            touch from simulated physical memory, and reports TLB hits and misses per level, walks, \
            memory references per walk and page-table pages.
              vmsim translate workloads/sort.lackey.gz --arch x86-64 --tlb skylake
              vmsim translate trace.lackey --huge 2M --emit-physical phys.lackey

            Architectures: \(PageTableFormat.presets.map(\.name).joined(separator: ", ")), or a custom split \
            with --levels 10,10 --page-size 4K. TLB presets: skylake (default), zen2, none; or a spec \
            such as l1d=4K:64x4+2M:32x4,l2=4K/2M:1536x12 (see docs/translation.md).
            """
    )

    @Argument(help: "A trace to run (trace mode); '-' reads standard input; .gz and .zst are decompressed.")
    var trace: String?

    @Option(help: ArgumentHelp("The page-table format: \(PageTableFormat.presets.map(\.name).joined(separator: ", ")).", valueName: "arch"))
    var arch: String = "x86-64"

    @Option(help: ArgumentHelp("A custom split: index bits per level, root first (e.g. 10,10); the offset is --page-size.", valueName: "bits"))
    var levels: String?

    @Option(name: .customLong("page-size"), help: ArgumentHelp(
        "With --levels: the base page size (default 4K). Otherwise the size of the pages mapped on first touch in trace mode (same as --huge); also turns plain/oracle-general page numbers into addresses.",
        valueName: "size"))
    var pageSizeText: String?

    @Option(help: ArgumentHelp("Trace mode: map huge pages of this size on first touch (e.g. 2M, 1G, 4M for x86-32).", valueName: "size"))
    var huge: String?

    @Option(help: ArgumentHelp("The TLB hierarchy: skylake, zen2, none, or a spec (l1i=..,l1d=..,l2=..).", valueName: "spec"))
    var tlb: String = "skylake"

    @Option(name: .customLong("walk-cache"), help: ArgumentHelp(
        "Paging-structure cache entries per level, top first, or none.", valueName: "sizes"))
    var walkCache: String = "2,4,32"

    @Option(help: ArgumentHelp("The page-table organisation.", discussion: PageTableOrganisation.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"), valueName: "kind"))
    var table: PageTableOrganisation = .radix

    @Option(help: ArgumentHelp("Simulated physical memory.", valueName: "size"))
    var memory: String = "4G"

    @Option(help: ArgumentHelp("Trace mode: the trace format; detected when omitted.", valueName: "format"))
    var format: TraceFormat?

    @Option(name: .customLong("emit-physical"), help: ArgumentHelp(
        "Trace mode: write the translated physical-address trace here, in the input's format (lackey, din or plain).", valueName: "file"))
    var emitPhysical: String?

    @Option(name: .customLong("map"), parsing: .singleValue, help: ArgumentHelp(
        "Explain mode: a mapping VA=PA[:FLAGS][:SIZE] (flags r w x u g a d t c, default rwu; size default the base page). Repeatable.",
        valueName: "mapping"))
    var maps: [String] = []

    @Option(help: ArgumentHelp("Explain mode: a file of mappings, one VA=PA[:FLAGS][:SIZE] a line, # comments.", valueName: "file"))
    var mappings: String?

    @Option(parsing: .singleValue, help: ArgumentHelp("Explain mode: an address to translate, step by step. Repeatable.", valueName: "address"))
    var explain: [String] = []

    @Option(help: "Explain mode: the kind of access.")
    var access: AccessChoice = .read

    @Flag(help: "Explain mode: a supervisor (kernel) access rather than a user one.")
    var supervisor = false

    @Option(name: .customLong("host-arch"), help: ArgumentHelp(
        "Explain mode: a guest walk over a host's extended page table of this format (two-dimensional paging); --map gives the guest's mappings, the host maps guest memory on demand (EPT violations).",
        valueName: "arch"))
    var hostArch: String?

    @Option(name: .customLong("host-pages"), help: ArgumentHelp("With --host-arch: the page size the host maps guest memory with (4K, 2M).", valueName: "size"))
    var hostPages: String = "4K"

    @Option(name: .customLong("nested-tlb"), help: ArgumentHelp("With --host-arch: nested TLB entries (guest-physical to host-physical), 0 for none.", valueName: "n"))
    var nestedTLB: Int = 0

    @OptionGroup var output: OutputOptions

    @OptionGroup var recording: SeriesOption

    // MARK: Validation

    func pageTableFormat() throws -> PageTableFormat {
        if let levels {
            let bits = levels.split(separator: ",").map { Int(String($0).trimmed) }
            guard !bits.isEmpty, bits.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--levels takes index bits per level, root first, such as 10,10 or 9,9,9,9; got '\(levels)'")
            }
            var page = PageSize.base4K
            if let text = pageSizeText {
                guard let p = PageSize(parsing: text) else { throw ValidationError("--page-size '\(text)' is not a power-of-two size such as 4K or 16K") }
                page = p
            }
            let custom: PageTableFormat
            do {
                custom = try PageTableFormat.custom(indexBits: bits.map { $0! }, pageSize: page)
            } catch {
                throw ValidationError("--levels \(levels): \(error.message)")
            }
            return custom
        }
        guard let f = PageTableFormat.named(arch) else {
            throw ValidationError("--arch '\(arch)' is not a page-table format; use one of: \(PageTableFormat.presets.map(\.name).joined(separator: ", ")), or --levels for a custom split")
        }
        return f
    }

    /// The page size mapped on first touch.
    func mapSize(_ f: PageTableFormat) throws -> PageSize {
        if huge != nil && pageSizeText != nil && levels == nil {
            throw ValidationError("give either --page-size or --huge, not both")
        }
        let text = huge ?? (levels == nil ? pageSizeText : nil)
        guard let text else { return f.basePage }
        guard let size = PageSize(parsing: text) else {
            throw ValidationError("'\(text)' is not a power-of-two page size such as 4K, 2M or 1G")
        }
        guard f.level(mapping: size) != nil else {
            throw ValidationError("\(f.name) cannot map \(size) pages; it maps \(f.pageSizes.map(\.description).joined(separator: ", "))")
        }
        return size
    }

    func config() throws -> TranslationConfig {
        let f = try pageTableFormat()
        let tlbSpec: TLBSpec
        do { tlbSpec = try TLBSpec(parsing: tlb) } catch { throw ValidationError("--tlb \(tlb): \(error.message)") }
        let walk: WalkCacheSpec
        do { walk = try WalkCacheSpec(parsing: walkCache) } catch { throw ValidationError("--walk-cache \(walkCache): \(error.message)") }
        guard let bytes = ByteSize.parse(memory), bytes > 0 else {
            throw ValidationError("--memory '\(memory)' is not a size such as 512M or 4G")
        }
        let config = TranslationConfig(format: f, organisation: table, tlb: tlbSpec, walkCache: walk, memoryBytes: bytes, mapSize: try mapSize(f))
        do { try config.validate() } catch { throw ValidationError(error.message) }
        return config
    }

    func validate() throws {
        if (output.csv || output.html != nil) && trace == nil {
            throw ValidationError("--csv and --html are for a trace run (explain mode prints text or --json)")
        }
        let explaining = !explain.isEmpty || !maps.isEmpty || mappings != nil
        if trace == nil && explain.isEmpty {
            throw ValidationError("give a TRACE to run, or --explain ADDRESS (with --map or --mappings) to explain a walk")
        }
        if trace != nil && explaining {
            throw ValidationError("a TRACE runs with first-touch mapping; --map, --mappings and --explain belong to explain mode. Use one or the other")
        }
        if trace == nil && (emitPhysical != nil || format != nil) {
            throw ValidationError("--emit-physical and --format need a TRACE")
        }
        if explaining && table != .radix {
            throw ValidationError("explain mode walks radix page tables; drop --table \(table.rawValue)")
        }
        if hostArch != nil && trace != nil {
            throw ValidationError("--host-arch explains two-dimensional walks; give --explain ADDRESS instead of a TRACE")
        }
        if hostArch == nil && (hostPages != "4K" || nestedTLB != 0) {
            throw ValidationError("--host-pages and --nested-tlb need --host-arch")
        }
        if nestedTLB < 0 || nestedTLB > 4096 { throw ValidationError("--nested-tlb \(nestedTLB): give 0 to 4096 entries") }
        if let h = hostArch { _ = try hostFormat(h) }
        if let fmt = format, emitPhysical != nil, fmt == .oracleGeneral {
            throw ValidationError("--emit-physical writes lackey, din or plain traces, not oracle-general")
        }
        _ = try config()
    }

    // MARK: Run

    func run() throws {
        let config = try config()
        if let trace {
            Interrupt.install()
            SeriesSampler.isEnabled = !recording.noSeries
            ProgressMeter.start(enabled: !output.noProgress)
            let options = AccessTraceOptions(format: format, pageSize: pageSizeText.flatMap { PageSize(parsing: $0) } ?? config.format.basePage)
            let report = try reportingInputErrors {
                try TranslationReplay.run(path: trace, options: options, config: config, emitPath: emitPhysical)
            }
            try output.print(report, with: TranslationRenderer())
            return
        }
        try runExplain(config)
    }

    func hostFormat(_ name: String) throws -> (PageTableFormat, PageSize) {
        guard let h = PageTableFormat.named(name) else {
            throw ValidationError("--host-arch '\(name)' is not a page-table format; use one of: \(PageTableFormat.presets.map(\.name).joined(separator: ", "))")
        }
        guard let size = PageSize(parsing: hostPages), h.level(mapping: size) != nil else {
            throw ValidationError("--host-pages \(hostPages): \(h.name) maps \(h.pageSizes.map(\.description).joined(separator: ", "))")
        }
        return (h, size)
    }

    /// `--host-arch`: each address walked in two dimensions, guest entries and host entries.
    func runNested(_ config: TranslationConfig, host: (PageTableFormat, PageSize)) throws {
        var n: NestedMMU
        do {
            n = try NestedMMU(guest: config.format, host: host.0, hostPage: host.1, guestMemory: config.memoryBytes,
                              nestedTLBEntries: nestedTLB, tlbEntries: 0)
        } catch { throw ValidationError("\(error)") }
        var specs: [(String, MappingSpec)] = []
        if let mappings {
            for (line, spec) in try reportingInputErrors({ try MappingFile.read(mappings) }) { specs.append(("\(mappings):\(line)", spec)) }
        }
        for text in maps {
            do { specs.append(("--map", try MappingSpec(parsing: text))) } catch { throw ValidationError("--map \(text): \(error.message)") }
        }
        for (origin, spec) in specs {
            do { try n.mapGuest(spec.virtual.rawValue, to: spec.physical.rawValue, size: spec.size ?? config.format.basePage, flags: spec.flags) } catch {
                if origin == "--map" { throw ValidationError("--map \(spec.text.trimmed): \(error)") }
                printError("vmsim: \(origin): \(spec.text.trimmed): \(error)")
                throw ExitCode(2)
            }
        }
        var walks: [NestedWalk] = []
        for text in explain {
            guard let address = parseAddress(text) else {
                throw ValidationError("--explain '\(text)' is not an address (0x-hex or decimal, at most 64 bits)")
            }
            walks.append(n.translate(address, AccessIntent(access.kind, user: !supervisor)))
        }
        let title = "\(config.format.name) guest (\(config.format.levels.count) levels) over a \(host.0.name) host (\(host.0.levels.count) levels), \(host.1) host pages"
        print(NestedWalkRenderer(title: title, guestRoot: n.guestRoot).render(walks, as: output.json ? .json : .text), terminator: "")
    }

    func runExplain(_ config: TranslationConfig) throws {
        if let h = hostArch { return try runNested(config, host: try hostFormat(h)) }
        let f = config.format
        var mmu: MMU<RadixPageTable>
        do {
            mmu = try MMU<RadixPageTable>(format: f, tlb: .none, walkCache: .none,
                                          memory: FrameAllocator(bytes: config.memoryBytes, frameSize: f.basePage))
        } catch { throw ValidationError("\(error)") }
        // A mapping file first (errors as FILE:LINE, exit 2), then --map arguments (usage errors, exit 64).
        if let mappings {
            let entries = try reportingInputErrors { try MappingFile.read(mappings) }
            for (line, spec) in entries {
                do { try apply(spec, to: &mmu) } catch {
                    printError("vmsim: \(mappings):\(line): \(spec.text.trimmed): \(error)")
                    throw ExitCode(2)
                }
            }
        }
        for text in maps {
            let spec: MappingSpec
            do { spec = try MappingSpec(parsing: text) } catch { throw ValidationError("--map \(text): \(error.message)") }
            do { try apply(spec, to: &mmu) } catch { throw ValidationError("--map \(text): \(error)") }
        }
        var items: [ExplainedTranslation] = []
        for text in explain {
            guard let address = parseAddress(text) else {
                throw ValidationError("--explain '\(text)' is not an address (0x-hex or decimal, at most 64 bits)")
            }
            let intent = AccessIntent(access.kind, user: !supervisor)
            items.append(mmu.explain(address, intent))
        }
        let renderer = ExplainRenderer(format: f, root: mmu.table.rootAddress)
        print(renderer.render(items, as: output.json ? .json : .text), terminator: "")
    }

    func apply(_ spec: MappingSpec, to mmu: inout MMU<RadixPageTable>) throws(MapError) {
        try mmu.map(spec.virtual, to: spec.physical, size: spec.size ?? mmu.format.basePage, flags: spec.flags)
    }
}
