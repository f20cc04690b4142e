import Foundation

/// The result of running the `vmsim` executable.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The built `vmsim` binary: it sits next to the test bundle in the build folder.
let vmsimBinary: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        url = URL(fileURLWithPath: exe)
    }
    var dir = url.deletingLastPathComponent()
    while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("vmsim").path) && dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    return dir.appendingPathComponent("vmsim")
}()

/// The repository root, for bundled workloads.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs `vmsim ARGS`, optionally feeding `stdin`, with extra environment variables.
func vmsim(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
           directory: URL? = nil) throws -> CLIResult {
    let process = Process()
    process.executableURL = vmsimBinary
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    if let directory { process.currentDirectoryURL = directory }
    // Output goes to files, so a large output can never block the child on a full pipe.
    let scratch = Scratch()
    defer { scratch.cleanup() }
    let outPath = scratch.file("stdout", ""), errPath = scratch.file("stderr", "")
    let inPath = scratch.file("stdin", stdin ?? Data())
    process.standardOutput = FileHandle(forWritingAtPath: outPath)
    process.standardError = FileHandle(forWritingAtPath: errPath)
    process.standardInput = FileHandle(forReadingAtPath: inPath)
    try process.run()
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus,
                     stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
                     stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
}

/// A scratch directory removed by `cleanup()`.
struct Scratch {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vmsim-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func file(_ name: String, _ contents: String) -> String { file(name, Data(contents.utf8)) }
    func file(_ name: String, _ data: Data) -> String {
        let path = url.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: data)
        return path
    }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}
