import ArgumentParser
import VMDriver

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record a real program under Valgrind (accesses, system calls, allocations) for `vmsim run` to replay through the kernel.",
        discussion: """
            Runs the program three times: natively (its output and exit status pass through, and \
            what the real kernel measured is kept: minor and major faults and peak RSS from \
            getrusage), under Valgrind Lackey with --trace-mem=yes --trace-syscalls=yes (one log \
            per process), and under memcheck with --trace-malloc=yes (the heap log). The folder \
            holds the logs (zstd-compressed above 64M when zstd is installed) and recording.txt, \
            the manifest. docs/real-programs.md explains what the replay shows and why it differs \
            from the native run.

            Examples:
              vmsim record -- ls -l /usr/bin
              vmsim record --out sort.rec -- sort -n data.txt
              vmsim run sort.rec
            """
    )

    @Option(help: ArgumentHelp("The recording folder (must not exist); default PROGRAM.rec.", valueName: "dir"))
    var out: String?

    @Flag(help: "Skip the memcheck run (no heap log).")
    var noHeap = false

    @Flag(help: "Follow execs too (--trace-children=yes); forked children are always recorded.")
    var children = false

    @Argument(parsing: .postTerminator, help: "The program and its arguments, after --.")
    var program: [String] = []

    func validate() throws {
        if program.isEmpty { throw ValidationError("give the program to record after --, e.g. vmsim record -- ls -l") }
    }

    func run() throws {
        let name = String(program[0].split(separator: "/").last ?? "program")
        let recorder = Recorder(program: program, out: out ?? "\(name).rec", heap: !noHeap, children: children)
        let outcome = Result { () throws(Recorder.Failure) in try recorder.record() }
        guard case .success(let result) = outcome else {
            if case .failure(let e) = outcome { printError("vmsim record: \(e.description)") }
            throw ExitCode(2)
        }
        var text = "\nvmsim record: \(result.directory): "
        text += result.logs.map { "\($0.0) (\($0.1 >> 10) KiB)" }.joined(separator: ", ") + "\n"
        text += "native run: \(result.native.minorFaults) minor faults, \(result.native.majorFaults) major, peak RSS \(result.native.maxRSSKiB) kB, exit status \(result.exitStatus)\n"
        text += "analyse it:\n  vmsim run \(result.directory)\n  vmsim run \(result.directory) --json\n"
        if let lackey = result.logs.first(where: { $0.0.hasPrefix("lackey.") }) {
            text += "  vmsim mrc \(result.directory)/\(lackey.0)\n"
        }
        if let heap = result.logs.first(where: { $0.0.hasPrefix("memcheck.") }) {
            text += "  vmsim heap \(result.directory)/\(heap.0)\n"
        }
        printError(text)
        if result.exitStatus != 0 { throw ExitCode(result.exitStatus) }
    }
}
