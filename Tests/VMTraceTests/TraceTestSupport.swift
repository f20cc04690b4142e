import Foundation
import VMSim
@testable import VMTrace

/// A scratch directory for one test, removed by the caller with `cleanup()`.
struct Scratch {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vmsim-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `contents` to `name` and returns its path.
    func file(_ name: String, _ contents: String) -> String {
        file(name, Data(contents.utf8))
    }

    func file(_ name: String, _ data: Data) -> String {
        let path = url.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: data)
        return path
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Reads every access of a trace.
func readAll(_ path: String, _ options: AccessTraceOptions = .init()) throws -> [PageAccess] {
    let reader = try AccessTrace.open(path, options: options)
    var out: [PageAccess] = []
    while true {
        let batch = try reader.nextBatch()
        if batch.isEmpty { return out }
        out.append(contentsOf: batch)
    }
}

/// The error reading a trace throws, or nil if it reads cleanly.
func readError(_ path: String, _ options: AccessTraceOptions = .init()) -> TraceError? {
    do {
        _ = try readAll(path, options)
        return nil
    } catch let error as TraceError {
        return error
    } catch {
        return TraceError(file: "?", message: "unexpected \(error)")
    }
}

/// Builds oracleGeneral records: `u32 time, u64 id, u32 size, i64 next` little-endian.
func oracleRecords(_ records: [(id: UInt64, next: Int64)]) -> Data {
    var data = Data()
    for (i, r) in records.enumerated() {
        withUnsafeBytes(of: UInt32(i).littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: r.id.littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(1).littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: r.next.littleEndian) { data.append(contentsOf: $0) }
    }
    return data
}

/// Runs a program and waits for it.
@discardableResult
func shell(_ command: String) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    try! p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
