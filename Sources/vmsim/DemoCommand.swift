import ArgumentParser
import VMReport
import VMSim
import VMTrace
import VMDriver
#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show the whole system at work (default), or page replacement on a real trace (`demo paging`).",
        subcommands: [SystemDemoCommand.self, PagingDemoCommand.self],
        defaultSubcommand: SystemDemoCommand.self
    )
}

struct PagingDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paging",
        abstract: "Run page replacement on the bundled workload, a real program's memory trace.",
        discussion: """
            The workload is workloads/sort.lackey.gz: Valgrind Lackey's trace of every instruction \
            fetch, load and store of GNU sort sorting 2,000 numbers (see workloads/README.md). The demo \
            replays it under FIFO, LRU, CLOCK and Belady's OPT at a few memory sizes.
            """
    )

    static let workload = "workloads/sort.lackey.gz"

    @Option(help: "Memory sizes in page frames.")
    var frames: String = "8,16,32,64"

    func run() throws {
        guard let path = Self.locateWorkload() else {
            printError("vmsim: cannot find the bundled workload \(Self.workload); run the demo from the VMSim checkout")
            throw ExitCode(2)
        }
        let sizes = try parseFrames([frames])
        let policies = [PolicyKind.fifo, .lru, .clock, .opt].map { PolicySpec($0) }
        let report = try reportingInputErrors {
            try PagingReplay.run(path: path, options: AccessTraceOptions(format: .lackey), policies: policies,
                                 frames: sizes, seed: 0)
        }
        print("VMSim demo: page replacement on a real program's memory trace")
        print()
        print("Workload: \(Self.workload), Valgrind Lackey trace of `sort -n` on 2,000 numbers")
        let t = report.trace
        print("          \(groupThousands(t.records)) page references (\(t.pageSize.map { "\($0)" } ?? "?") pages), "
              + "\(groupThousands(t.distinctPages ?? 0)) distinct pages, \(groupThousands(t.writes)) stores")
        print()
        print(PagingReportRendering.table(report), terminator: "")
        print()
        let smallest = sizes.min()!
        let at = report.results.filter { $0.frames == smallest }
        if let opt = at.first(where: { $0.policy.kind == .opt }), let lru = at.first(where: { $0.policy.kind == .lru }) {
            print("At \(smallest) frames LRU takes \(groupThousands(lru.stats.misses)) page faults; Belady's OPT, "
                  + "which knows the future, takes \(groupThousands(opt.stats.misses)).")
        }
        print()
        print("More on the bundled workloads:")
        print("  vmsim paging \(Self.workload) --policy arc,lirs,s3-fifo,mglru --frames 16")
        print("  vmsim mrc \(Self.workload) --max-frames 64          (LRU miss ratio at every size)")
        print("  vmsim translate \(Self.workload) --arch x86-64      (TLBs and page-table walks)")
        print("  vmsim heap traces/malloclab/firefox-reddit.rep.gz --policy first,best")
        print("  vmsim ostep paging-policy -s 1 -n 10 -c               (OSTEP homework, byte for byte)")
    }

    /// The workload, looked for under the current directory and above the executable (which
    /// `swift run` places in .build/<triple>/<configuration>/ inside the checkout).
    static func locateWorkload() -> String? {
        var candidates = [workload]
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            var dir = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            for _ in 0..<6 {
                guard let slash = dir.lastIndex(of: "/") else { break }
                dir = String(dir[..<slash])
                candidates.append(dir + "/" + workload)
            }
        }
        return candidates.first { access($0, R_OK) == 0 }
    }
}
