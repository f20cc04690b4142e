import Foundation
import Testing

/// Ctrl-C during a long run: the results so far, marked partial, and exit status 130; a second
/// Ctrl-C exits at once.
@Suite(.serialized) struct InterruptTests {
    static let sort = repositoryRoot.appendingPathComponent("workloads/sort.lackey.gz").path

    /// Starts `vmsim ARGS`, sends it SIGINT `times` times after `after` seconds, `gap` seconds
    /// apart (signals sent closer together can merge into one), and waits.
    func interrupted(_ args: [String], after: Double, times: Int = 1, gap: Double = 0.1) throws -> CLIResult {
        let scratch = Scratch()
        defer { scratch.cleanup() }
        let out = scratch.file("out", ""), err = scratch.file("err", "")
        let p = Process()
        p.executableURL = vmsimBinary
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: out)
        p.standardError = FileHandle(forWritingAtPath: err)
        try p.run()
        Thread.sleep(forTimeInterval: after)
        for _ in 0 ..< times {
            kill(p.processIdentifier, SIGINT)
            Thread.sleep(forTimeInterval: gap)
        }
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    @Test func ctrlCPrintsAConsistentPrefixMarkedPartial() throws {
        // Twelve simulations of a 7.3M-reference trace: far longer than 2.5 s in any build.
        let scratch = Scratch(); defer { scratch.cleanup() }
        let html = scratch.url.appendingPathComponent("partial.html").path
        let r = try interrupted(["paging", Self.sort, "--policy", "lru,fifo,clock,arc", "--frames", "8,64,512", "--json", "--html", html], after: 2.5)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stderr.contains("interrupted (Ctrl-C)") && r.stderr.contains("partial"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout.prefix(200))")
        #expect(json["partial"] as? Bool == true)
        let done = (json["trace"] as! [String: Any])["accesses"] as! Int
        #expect(done > 0 && done < 7_258_090, "\(done) of 7,258,090 references")
        // Every simulation saw the same prefix, and its series ends there.
        let results = json["results"] as! [[String: Any]]
        #expect(results.count == 12)
        for res in results {
            let accesses = res["accesses"] as! Int, misses = res["misses"] as! Int
            #expect(accesses == done && (res["hits"] as! Int) + misses == accesses)
            let points = (res["series"] as! [String: Any])["points"] as! [[Int]]
            #expect(points.last! == [done, misses])
        }
        // The output keeps to its schema, partial flag included.
        let file = scratch.file("partial.json", r.stdout)
        let v = try runProgram(["python3", repositoryRoot.appendingPathComponent("scripts/validate_json.py").path,
                                repositoryRoot.appendingPathComponent("docs/schemas/paging.schema.json").path, file])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        // The HTML report was written, and says it is partial.
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("Partial: the run was interrupted"))
    }

    @Test func ctrlCStopsAWorkloadAfterItsReplayBatch() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let workload = scratch.file("w.vms", "machine memory=64M\nprocess A\nA replay \(Self.sort)\nA fork B\nshow A status\n")
        let r = try interrupted(["run", workload, "--json"], after: 2.5)
        #expect(r.status == 130, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout.prefix(200))")
        #expect(json["partial"] as? Bool == true)
        // Stopped inside the replay: fewer references than the trace's, and the lines after it never ran.
        let replayed = (json["replay"] as! [String: Any])["accesses"] as! Int
        #expect(replayed > 0 && replayed < 7_258_090, "\(replayed)")
        #expect((json["processes"] as! [[String: Any]]).count == 1, "no fork ran")
        let file = scratch.file("partial.json", r.stdout)
        let v = try runProgram(["python3", repositoryRoot.appendingPathComponent("scripts/validate_json.py").path,
                                repositoryRoot.appendingPathComponent("docs/schemas/run.schema.json").path, file])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
    }

    @Test func aSecondCtrlCExitsAtOnce() throws {
        // The trace comes down a pipe that stays open: after the first Ctrl-C the run waits for the
        // rest of its batch, which never comes; the second ends it at once, with nothing printed.
        let scratch = Scratch(); defer { scratch.cleanup() }
        let out = scratch.file("out", ""), err = scratch.file("err", "")
        let p = Process(), input = Pipe()
        p.executableURL = vmsimBinary
        p.arguments = ["paging", "-", "--format", "lackey", "--policy", "lru", "--frames", "8", "--json"]
        p.standardInput = input
        p.standardOutput = FileHandle(forWritingAtPath: out)
        p.standardError = FileHandle(forWritingAtPath: err)
        try p.run()
        input.fileHandleForWriting.write(Data(String(repeating: " L 04021f50,8\n", count: 1000).utf8))
        Thread.sleep(forTimeInterval: 0.5)
        kill(p.processIdentifier, SIGINT)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(p.isRunning, "the first Ctrl-C waits for the batch")
        kill(p.processIdentifier, SIGINT)
        // Were the second ignored, closing the pipe after 10 s ends the run (and fails the test) rather than hanging it.
        let writer = input.fileHandleForWriting
        DispatchQueue.global().asyncAfter(deadline: .now() + 10) { try? writer.close() }
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        let printed = (try? String(contentsOfFile: out, encoding: .utf8)) ?? "?"
        #expect(printed.isEmpty, "nothing printed: \(printed.prefix(100))")
    }
}

/// The progress line: on a terminal only (a pseudo-terminal from util-linux's `script`), never in
/// a file or pipe, and not with --no-progress. VMSIM_PROGRESS_DELAY=0 shows it from the start
/// (instead of after two seconds), so that a short trace is enough.
@Suite(.serialized) struct ProgressTests {
    static let trace = repositoryRoot.appendingPathComponent("workloads/true.lackey.gz").path

    @Test func progressShowsOnATerminalOnly() throws {
        let command = "VMSIM_PROGRESS_DELAY=0 \(vmsimBinary.path) paging \(Self.trace) --policy lru,fifo --frames 8,64 > /dev/null"
        let onTerminal = try runProgram(["script", "-qec", command, "/dev/null"])
        #expect(onTerminal.status == 0)
        // The line names the trace, the share read of its compressed bytes, the records and an ETA, and is erased at the end.
        #expect(onTerminal.stdout.contains("true.lackey.gz  ["), "\(onTerminal.stdout.suffix(300))")
        #expect(onTerminal.stdout.contains("% ") && onTerminal.stdout.contains("records, ") && onTerminal.stdout.contains("ETA "))
        #expect(onTerminal.stdout.hasSuffix("\r\u{1B}[K"))
        let quiet = try runProgram(["script", "-qec", command.replacingOccurrences(of: " > /dev/null", with: " --no-progress > /dev/null"), "/dev/null"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout.prefix(200))")
        // Not a terminal: nothing on standard error.
        let r = try vmsim(["paging", Self.trace, "--policy", "lru,fifo", "--frames", "8,64"], environment: ["VMSIM_PROGRESS_DELAY": "0"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr.prefix(200))")
    }
}
