import ArgumentParser
import VMReport
import VMSim
import VMTrace
import VMDriver

extension HeapTraceFormat: ExpressibleByArgument {}
extension Coalescing: ExpressibleByArgument {}
extension FreeListOrder: ExpressibleByArgument {}

struct HeapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heap",
        abstract: "Replay an allocation trace under heap allocators and compare them side by side.",
        discussion: """
            Every policy replays one pass of the trace, in parallel across cores. The table gives the \
            final heap size (its peak: the heap never shrinks), the peak payload and CS:APP's peak \
            utilization (peak payload / heap size), the most padding and headers at any point, the \
            external fragmentation (1 - largest free block / free bytes) over time, the longest free \
            list, and the search lengths a plain linked list would have had (--timing adds simulated \
            operations per second, which differ from run to run). \
            Then come the trace's problems (double and invalid frees, reallocs of freed blocks, failed \
            allocations) with their lines, the largest blocks still allocated at exit, and, for a \
            Valgrind log, memcheck's HEAP SUMMARY beside the replay's counts.

            The reference model (the defaults) is in docs/heap.md.

            Examples:
              vmsim heap traces/malloclab/amptjp.rep.gz --policy first,next,best,worst
              valgrind --tool=memcheck --trace-malloc=yes ls 2> ls.log; vmsim heap ls.log --json
              vmsim heap ops.txt --format ops --alignment 1 --initial-heap 100 --heap-limit 100 --base 1000
              vmsim heap ls.log --alignment 16 --header 16 --mmap-threshold glibc
            """
    )

    @Argument(help: "The trace file; '-' reads standard input; .gz and .zst are decompressed.")
    var trace: String

    @Option(help: ArgumentHelp(
        "The trace format; detected from the file name and content when omitted.",
        discussion: HeapTraceFormat.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"),
        valueName: "format"))
    var format: HeapTraceFormat?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Allocators, comma-separated or repeated (default first,next,best,worst).",
        discussion: HeapPolicy.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"),
        valueName: "list"))
    var policy: [String] = []

    @Option(help: ArgumentHelp("Requests are rounded up to a multiple of this many bytes (1 to 1M; 1 is no rounding).", valueName: "bytes"))
    var alignment: String = "8"

    @Option(help: ArgumentHelp("Bytes of header added to every block.", valueName: "bytes"))
    var header: String = "0"

    @Option(help: ArgumentHelp("The heap's first address (decimal or 0x-hex).", valueName: "address"))
    var base: String = "0"

    @Option(name: .customLong("coalesce"), help: ArgumentHelp(
        "When free neighbours merge (free-list policies; the buddy heap always merges buddies).",
        discussion: "immediate: on every free\ndeferred: all at once, when an allocation would otherwise grow the heap\nnone: never",
        valueName: "mode"))
    var coalescing: Coalescing = .immediate

    @Option(help: ArgumentHelp(
        "The order of the linked list whose search lengths first and next fit report (best and worst walk the whole list).",
        discussion: "address, size-asc, size-desc, lifo (last freed first), fifo (first freed first)",
        valueName: "order"))
    var order: FreeListOrder = .address

    @Option(name: .customLong("heap-limit"), help: ArgumentHelp(
        "The largest the heap may grow (e.g. 64M); an allocation past it fails and is reported.", valueName: "size"))
    var heapLimit: String?

    @Option(name: .customLong("initial-heap"), help: ArgumentHelp(
        "Start with one free block of this size (OSTEP's fixed heap, with --heap-limit the same).", valueName: "size"))
    var initialHeap: String = "0"

    @Option(name: .customLong("mmap-threshold"), help: ArgumentHelp(
        "Give requests this large their own mappings beside the heap, as glibc malloc does: off (default), glibc, or a size.",
        discussion: "glibc: chunks of 128K or more that no free block holds are mapped, and freeing one raises the threshold to its size (up to 32M)\nSIZE: a fixed threshold, as mallopt(M_MMAP_THRESHOLD, SIZE) sets it (at most 32M)",
        valueName: "threshold"))
    var mmapThreshold: String = "off"

    @Option(help: ArgumentHelp("How many of the largest unfreed blocks to list.", valueName: "n"))
    var leaks: Int = 5

    @Flag(help: "Add simulated operations per second of CPU time (a measurement: it differs from run to run).")
    var timing = false

    @Flag(help: "Keep each allocator's heap layout at its peak payload (a second pass over the trace; --html implies it).")
    var layout = false

    @Flag(help: "Check the heap's invariants after every operation (slower; a violation is a bug in VMSim, exit status 70).")
    var check = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try policies()
        _ = try model()
        guard leaks >= 0 else { throw ValidationError("--leaks takes a count of blocks, 0 or more") }
    }

    func policies() throws -> [HeapPolicy] {
        try parsingFlag("--policy") { () throws(SpecError) in try HeapPolicy.parseList(policy) }
    }

    func model() throws -> HeapModel {
        var o = HeapModel.Options()
        o.alignment = alignment
        o.header = header
        o.base = base
        o.coalescing = coalescing
        o.order = order
        o.heapLimit = heapLimit
        o.initialHeap = initialHeap
        o.mmapThreshold = mmapThreshold
        do {
            return try HeapModel(parsing: o)
        } catch {
            let flags = ["alignment": "--alignment", "header": "--header", "base": "--base",
                         "heapLimit": "--heap-limit", "initialHeap": "--initial-heap",
                         "mmapThreshold": "--mmap-threshold"]
            let flag = error.field.flatMap { flags[$0] }
            throw ValidationError(flag.map { "\($0): \(error.description)" } ?? error.description)
        }
    }

    func run() throws {
        Interrupt.install()
        ProgressMeter.start(enabled: !output.noProgress)
        let policies = try policies()
        let model = try model()
        let report = try reportingInputErrors {
            try HeapReplay.run(path: trace, format: format, policies: policies, model: model,
                               checking: check ? .incremental : .off, leakLimit: leaks, layout: layout || output.html != nil)
        }
        for w in report.details.warnings {
            printError("vmsim: " + HeapReportRendering.describe(w, trace: report.trace.name))
        }
        try output.print(report, with: HeapRenderer(timing: timing, checked: check))
        if report.results.contains(where: { $0.stats.invariantViolation != nil }) {
            printError("vmsim: internal error: a heap invariant was violated (see the report); please file a bug")
            throw ExitCode(70)
        }
    }
}
