import Foundation
import Testing

/// Every command's `--json` output against its JSON Schema in docs/schemas/ (validated by
/// scripts/validate_json.py with Python's jsonschema), over runs that reach the optional parts: OPT's
/// distinct pages, sampling and working sets, diagnostics and failed allocations, hashed tables,
/// faults in explain mode, allocation failures, cgroups, replays, several workloads, a partial run.
@Suite(.serialized) struct JSONSchemaTests {
    static let trueTrace = repositoryRoot.appendingPathComponent("workloads/true.lackey.gz").path
    static let workloads = repositoryRoot.appendingPathComponent("workloads").path

    func validate(_ command: String, _ runs: [[String]], stdin: [String: String] = [:]) throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        var files: [String] = []
        for (i, args) in runs.enumerated() {
            let input = stdin[args.joined(separator: " ")].map { Data($0.utf8) }
            let r = try vmsim(args + ["--json"], stdin: input)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            files.append(scratch.file("\(command)\(i).json", r.stdout))
        }
        let schema = repositoryRoot.appendingPathComponent("docs/schemas/\(command).schema.json").path
        let v = try runProgram(["python3", repositoryRoot.appendingPathComponent("scripts/validate_json.py").path, schema] + files)
        #expect(v.status == 0, "\(command): \(v.stdout)\(v.stderr)")
    }

    @Test func paging() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let plain = scratch.file("ref.txt", "1\n2\n3\n4\n1\n2\n5\n1\n2\n3\n4\n5\n")
        try validate("paging", [["paging", Self.trueTrace, "--policy", "lru,opt,clock,arc,s3-fifo", "--frames", "4,64"],
                                ["paging", plain, "--format", "plain", "--policy", "fifo,opt", "--frames", "3,4"]])
    }

    @Test func mrc() throws {
        try validate("mrc", [["mrc", Self.trueTrace], ["mrc", Self.trueTrace, "--window", "10000"],
                             ["mrc", Self.trueTrace, "--sample", "shards-fixed:64"], ["mrc", Self.trueTrace, "--policy", "clock", "--sizes", "2,8,32"]])
    }

    @Test func heap() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let ops = scratch.file("df.ops", "+10,-0,-0,+5,+40\n")
        try validate("heap", [["heap", valgrindDirectory.appendingPathComponent("sort.log").path, "--policy", "best,tlsf,buddy", "--mmap-threshold", "glibc"],
                              ["heap", ops, "--format", "ops", "--alignment", "1", "--heap-limit", "32", "--policy", "first,next", "--timing"],
                              ["heap", malloclabDirectory.appendingPathComponent("short1.rep.gz").path, "--check", "--layout"]])
    }

    @Test func translate() throws {
        try validate("translate", [["translate", Self.trueTrace, "--arch", "x86-64", "--huge", "2M"],
                                   ["translate", Self.trueTrace, "--arch", "sv39", "--table", "inverted"],
                                   ["translate", "--arch", "x86-64", "--map", "0x400000=0x1000", "--explain", "0x400123", "--explain", "0x900000"]])
    }

    @Test func buddy() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let script = scratch.file("b.txt", "memory 16M\nalloc a 10\nalloc b 10\nalloc c 10\nalloc d 10\nalloc e 10\nkmalloc k 100\nshow buddyinfo\n")
        try validate("buddy", [["buddy", script]])
    }

    @Test func run() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let replay = scratch.file("r.vms", "machine memory=8M swap=8M\nprocess A\nA replay \(Self.trueTrace)\nA fork B\nB exit\n")
        try validate("run", [["run", Self.workloads + "/whole-system.vms"], ["run", Self.workloads + "/containers.vms"], ["run", replay],
                             ["run", Self.workloads + "/whole-system.vms", replay]])
    }
}
