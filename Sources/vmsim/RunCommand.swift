import ArgumentParser
import VMDriver
import VMReport
import VMSim
import VMTrace

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workload on a Linux-like kernel: processes, faults, copy-on-write, swap, reclaim, the OOM killer.",
        discussion: """
            The workload has one command a line and `#` comments:

            \(WorkloadRunner.summary)

            Each `show` prints its file in the kernel's format. A segfault, an OOM kill or an \
            error a system call returns (ENOMEM) is reported and the workload goes on; a mistake in \
            the workload (an unknown process or mapping, a malformed size, an offset past a mapping, a \
            command for a process that exited) stops it with FILE:LINE and exit status 2. \
            docs/kernel.md says what each part reproduces.

            Examples:
              vmsim run workloads/whole-system.vms
              vmsim run workloads/whole-system.vms --output.json
              vmsim run a.vms b.vms c.vms        (in parallel on the host's cores, reported in this order)
              vmsim run rec/                     (a folder `vmsim record` wrote: the program replayed through the kernel)
            """
    )

    @Argument(help: "The workload scripts; '-' reads standard input. Several run in parallel on the host's cores and are reported in the order given.")
    var workloads: [String]

    @OptionGroup var output: OutputOptions

    @OptionGroup var recording: SeriesOption

    @Option(name: .customLong("swap-file"), help: ArgumentHelp("Back swap with this file (created, kept); default a temporary file removed at exit.", valueName: "path"))
    var swapFile: String?

    @Option(help: ArgumentHelp("For a recording folder: the machine's RAM (default 1G).", valueName: "size"))
    var memory: String?

    @Option(help: ArgumentHelp("For a recording folder: the allocator its heap log replays through (\(HeapPolicy.allCases.map(\.rawValue).joined(separator: ", "))).", valueName: "policy"))
    var heap: String = "best"

    @Flag(help: "Check every kernel invariant after every operation (slow).")
    var check = false

    @Option(help: "Host cores to run several workloads on (default: all).")
    var jobs: Int?

    func validate() throws {
        if workloads.isEmpty { throw ValidationError("give a workload script") }
        if workloads.count > 1 && swapFile != nil { throw ValidationError("--swap-file takes one workload (each of several runs gets its own temporary swap file)") }
        if workloads.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input ('-') can be read once") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if output.series && workloads.count > 1 { throw ValidationError("--csv --series takes one workload (each has its own columns)") }
    }

    func run() throws {
        let renderer = RunRenderer()
        SeriesSampler.isEnabled = !recording.noSeries
        // One progress line for one run (several run side by side on the cores, each its own).
        ProgressMeter.start(enabled: !output.noProgress && workloads.count == 1)
        defer { ProgressMeter.finish() }
        if workloads.count == 1 && RecordingReplay.isRecording(workloads[0]) {
            guard let policy = HeapPolicy(rawValue: heap) else {
                throw ValidationError("--heap: '\(heap)' is not an allocator (\(HeapPolicy.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            var config = MachineConfig()
            config.memory = 1 << 30
            if let memory {
                guard let bytes = ByteSize.parse(memory) else { throw ValidationError("--memory: '\(memory)' is not a size (e.g. 512M)") }
                config.memory = bytes
            }
            config.checkInvariants = check
            let report = try reportingInputErrors { try RecordingReplay.run(directory: workloads[0], config: config, heap: policy) }
            try output.print(report, with: renderer)
            return
        }
        if workloads.count == 1 {
            // Ctrl-C stops after the line (or replay batch) it comes in: what ran so far is printed, partial.
            Interrupt.install()
            let report = try reportingInputErrors { try WorkloadRunner.run(path: workloads[0], swapPath: swapFile, checkInvariants: check) }
            try output.print(report, with: renderer)
            return
        }
        let cores = jobs ?? ProcessorCount.online
        let results = WorkloadRunner.runAll(paths: workloads, checkInvariants: check, parallelism: cores)
        var reports: [RunReport] = []
        for result in results {
            switch result {
            case .success(let r): reports.append(r)
            case .failure(let error):
                printError("vmsim: \(error.description)")
                throw ExitCode(2)
            }
        }
        let runs = JSONValue.object([("schemaVersion", .int(Int64(jsonSchemaVersion))), ("command", .string("run")), ("runs", .array(reports.map(renderer.json)))])
        try writeHTML(output.html, [("", runs)])
        if output.csv {
            print(RunRenderer.csv(reports), terminator: "")
        } else if output.json {
            print(runs.serialized(pretty: true))
        } else {
            print(reports.map { renderer.render($0, as: .text) }.joined(separator: "\n"), terminator: "")
        }
    }
}
