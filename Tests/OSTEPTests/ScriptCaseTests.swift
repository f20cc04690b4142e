import Foundation
import Testing
import OSTEP

/// One run of an OSTEP tool and what the Python script did with the same arguments.
struct ScriptCase: Codable, Sendable, CustomTestStringConvertible {
    var name: String
    var tool: String
    var args: [String]
    /// Environment variables (COLUMNS for the help layout).
    var env: [String: String]?
    /// The script's exit status (absent in the shared reference set, where it is 0).
    var status: Int32?
    /// The script's standard error, where VMSim must print the same (optparse errors).
    var stderr: String?
    /// The last line of the script's traceback, or "loops forever": VMSim prints its own sentence.
    var pythonFails: String?

    var testDescription: String { name }
}

/// A folder of cases: `cases.json` and one `NAME.out` (the script's standard output) per case.
enum CaseFolder: String, CaseIterable {
    /// The shared reference outputs (../shared/reference/ostep), as given with the issue.
    case reference = "ostep"
    /// More cases generated from the scripts under Python 3.11: every flag and policy, -c on and off,
    /// option errors, odd values, the scripts' failures, and random argument mixes.
    case extra = "ostep-extra"

    var url: URL { Bundle.module.resourceURL!.appendingPathComponent(rawValue) }

    func cases() -> [ScriptCase] {
        guard let data = try? Data(contentsOf: url.appendingPathComponent("cases.json")),
              let cases = try? JSONDecoder().decode([ScriptCase].self, from: data) else { return [] }
        return cases
    }

    func expectedOutput(_ c: ScriptCase) -> [UInt8]? {
        (try? Data(contentsOf: url.appendingPathComponent(c.name + ".out"))).map { [UInt8]($0) }
    }

    /// A host with the case's environment, reading files from the case folder (the scripts ran there).
    func host(_ c: ScriptCase) -> ScriptHost {
        let env = c.env ?? [:]
        let dir = url
        return ScriptHost(
            environment: { env[$0] },
            readFile: { path in
                guard let data = try? Data(contentsOf: dir.appendingPathComponent(path)) else {
                    return .failure(FileReadError(reason: "No such file or directory"))
                }
                return .success([UInt8](data))
            })
    }
}

/// Runs a case in process: its exit status, standard output and standard error.
func run(_ c: ScriptCase, in folder: CaseFolder) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
    let tool = try #require(OSTEPTool(named: c.tool), "unknown tool \(c.tool)")
    let out = ScriptOutput(), err = ScriptOutput()
    let status = tool.run(c.args, stdout: out, stderr: err, host: folder.host(c))
    return (status, out.bytes, String(decoding: err.bytes, as: UTF8.self))
}

func check(_ c: ScriptCase, in folder: CaseFolder) throws {
    let expected = try #require(folder.expectedOutput(c), "missing \(c.name).out")
    let got = try run(c, in: folder)
    #expect(got.status == (c.status ?? 0))
    if got.stdout != expected {
        let a = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let b = String(decoding: got.stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        Issue.record("""
            \(c.name): standard output differs at line \(line + 1) (expected \(a.count) lines, got \(b.count))
              expected: \(line < a.count ? String(a[line]) : "<end>")
              got:      \(line < b.count ? String(b[line]) : "<end>")
            """)
    }
    if let stderr = c.stderr {
        #expect(got.stderr == stderr)
    }
    if c.pythonFails != nil {
        // The script dies with a traceback (or never stops); VMSim says why in one line, status 1.
        #expect(got.stderr.hasPrefix("vmsim ostep \(OSTEPTool(named: c.tool)!.rawValue): "))
        #expect(got.stderr.filter { $0 == "\n" }.count == 1)
    }
}

struct ReferenceCaseTests {
    @Test func allReferenceCasesAreThere() {
        #expect(CaseFolder.reference.cases().count == 73)
    }

    /// Every case of ../shared/reference/ostep/cases.json, byte for byte.
    @Test(arguments: CaseFolder.reference.cases())
    func reference(_ c: ScriptCase) throws {
        try check(c, in: .reference)
    }
}

struct ExtraCaseTests {
    @Test func extraCasesAreThere() {
        let cases = CaseFolder.extra.cases()
        #expect(cases.count >= 500)
        for tool in OSTEPTool.allCases {
            #expect(cases.filter { $0.tool == tool.rawValue }.count >= 40, "\(tool.rawValue)")
        }
    }

    @Test(arguments: CaseFolder.extra.cases())
    func extra(_ c: ScriptCase) throws {
        try check(c, in: .extra)
    }
}
