// Fuzz harness: the optparse port behind `vmsim ostep TOOL ARGS...`.
// Input: the first byte picks the tool; the rest is its argv, one argument a line; a first
// argument `COLUMNS=N` sets COLUMNS, which the help text wraps to.
// Checks: OptionParser.parse never crashes or traps; a usage error is one non-empty line; -h
// prints help; every option has a value of its kind afterwards. When the parsed values are
// small (integers within ±1000, sizes within 64K, at most 1,000 addresses), the tool then runs (for one input in four)
// on the same argv and must exit with 0, 1 or 2 (a trap in a simulator is a finding).
@testable import OSTEP

private let optionLists: [OSTEPTool: [OptionParser.Option]] = [
    .malloc: MallocScript.options, .pagingPolicy: PagingPolicyScript.options, .linear: LinearTranslateScript.options,
    .multilevel: MultilevelTranslateScript.options, .segmentation: SegmentationScript.options,
    .relocation: RelocationScript.options,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    guard let first = bytes.first else { return 0 }
    let tool = OSTEPTool.allCases[Int(first) % OSTEPTool.allCases.count]
    var arguments = bytes.dropFirst().split(separator: 0x0a, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    var columns: String?
    if let a = arguments.first, a.hasPrefix("COLUMNS=") {
        columns = String(a.dropFirst(8))
        arguments.removeFirst()
    }
    let host = ScriptHost(environment: { [columns] name in name == "COLUMNS" ? columns : nil },
                          readFile: { _ in .failure(FileReadError(reason: "No such file or directory")) })
    let options = optionLists[tool]!
    let parser = OptionParser(prog: tool.scriptName, options: options)
    let out = ScriptOutput()
    let values: OptionParser.Values
    do throws(ScriptExit) {
        values = try parser.parse(arguments, out: out, host: host)
    } catch {
        switch error {
        case .usage(let message):
            guard !message.isEmpty, !message.contains("\n") else { finding("usage error \(message.debugDescription)") }
        case .exit(let code):
            out.finish()
            guard code == 0, !out.bytes.isEmpty else { finding("exit \(code) from the option parser without help") }
        case .crash(let message, _):
            finding("the option parser crashed: \(message)")
        }
        return 0
    }
    var small = true
    for option in options {
        switch (option.action, values.values[option.dest]) {
        case (.storeInt, .int(let v)?):
            if let n = v.exactInt, n.magnitude <= 1000 {} else { small = false }
        case (.storeString, .string(let s)?):
            if let n = try? ScriptValues.size(s, "fuzz"), n.magnitude > 1 << 16 { small = false }
            // A run prints each address with the cache's contents (unbounded for a negative
            // cache size), as the script does: quadratic in the address count, so keep it small.
            if option.dest == "numaddrs", let n = try? ScriptValues.size(s, "fuzz"), n.magnitude > 1000 { small = false }
            if s.unicodeScalars.count > 512 { small = false }
        case (.storeTrue, .bool?): break
        default: finding("option \(option.dest) has no value of its kind after parsing: \(String(describing: values.values[option.dest]))")
        }
    }
    // The run costs far more than the parse: one small input in four runs.
    guard small, bytes.reduce(UInt32(0), { ($0 &* 31) &+ UInt32($1) }) % 4 == 0 else { return 0 }
    let status = tool.run(arguments, stdout: ScriptOutput(), stderr: ScriptOutput(), host: host)
    guard (0...2).contains(status) else { finding("\(tool.rawValue) exited with status \(status)") }
    return 0
}
