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
              vmsim run workloads/whole-system.vms --json
            """
    )

    @Argument(help: "The workload script; '-' reads standard input.")
    var workload: String

    @Flag(help: "Print one JSON object (schema in docs/json-schema.md).")
    var json = false

    @Option(name: .customLong("swap-file"), help: ArgumentHelp("Back swap with this file (created, kept); default a temporary file removed at exit.", valueName: "path"))
    var swapFile: String?

    @Flag(help: "Check every kernel invariant after every operation (slow).")
    var check = false

    func run() throws {
        let report = try reportingInputErrors { try WorkloadRunner.run(path: workload, swapPath: swapFile, checkInvariants: check) }
        print(RunRenderer().render(report, as: json ? .json : .text), terminator: "")
    }
}
