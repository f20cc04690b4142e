import ArgumentParser
import OSTEP
#if canImport(Glibc)
import Glibc
#endif

struct OstepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ostep",
        abstract: "Run an OSTEP homework simulator, byte for byte as the Python script prints it.",
        usage: "vmsim ostep TOOL [SCRIPT-OPTIONS...]",
        discussion: """
            Drop-in equivalents of the simulators of "Operating Systems: Three Easy Pieces" \
            (remzi-arpacidusseau/ostep-homework): the same flags, defaults, output, error messages \
            and exit statuses as the script under Python 3.11, for any seed. `vmsim ostep TOOL -h` \
            prints the script's own help. Tools:

            \(OSTEPTool.allCases.map { "  \($0.rawValue.padding(15))\($0.scriptPath)\n      \($0.summary)" }.joined(separator: "\n"))

            Examples:
              vmsim ostep paging-policy -s 1 -n 10 -p LRU -c
              vmsim ostep malloc -S 100 -A +10,-0,+20 -c
            Details and the scripts' quirks: docs/ostep.md.
            """
    )

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp(
        "The tool, then its options exactly as its Python script takes them.", valueName: "tool-and-options"))
    var arguments: [String] = []

    func run() throws {
        guard let name = arguments.first else {
            printError("vmsim ostep: name a tool: \(OSTEPTool.allCases.map(\.rawValue).joined(separator: ", "))")
            printError("Usage: vmsim ostep TOOL [SCRIPT-OPTIONS...]   (vmsim ostep --help lists the tools)")
            throw ExitCode(64)
        }
        if name == "-h" || name == "--help" {
            print(OstepCommand.helpMessage())
            return
        }
        guard let tool = OSTEPTool(named: name) else {
            printError("vmsim ostep: unknown tool '\(name)'; valid tools: "
                       + OSTEPTool.allCases.map(\.rawValue).joined(separator: ", "))
            throw ExitCode(64)
        }
        let stdout = ScriptOutput { writeAll(1, $0) }
        let stderr = ScriptOutput { writeAll(2, $0) }
        let status = tool.run(Array(arguments.dropFirst()), stdout: stdout, stderr: stderr, host: .system)
        if status != 0 { throw ExitCode(status) }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}

/// Writes every byte of `buffer` to file descriptor `fd`, retrying short writes.
private func writeAll(_ fd: Int32, _ buffer: UnsafeBufferPointer<UInt8>) {
    guard var p = buffer.baseAddress else { return }
    var left = buffer.count
    while left > 0 {
        let n = write(fd, p, left)
        if n < 0 {
            if errno == EINTR { continue }
            return
        }
        p += n
        left -= n
    }
}

extension ScriptHost {
    /// The real environment and file system.
    static let system = ScriptHost(
        environment: { name in getenv(name).map { String(cString: $0) } },
        readFile: { path in
            guard let file = fopen(path, "rb") else {
                return .failure(FileReadError(reason: String(cString: strerror(errno))))
            }
            defer { fclose(file) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
                if n > 0 { bytes += chunk[0..<n] }
                if n < chunk.count {
                    if ferror(file) != 0 { return .failure(FileReadError(reason: String(cString: strerror(errno)))) }
                    break
                }
            }
            return .success(bytes)
        }
    )
}
