#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim
import VMTrace

/// Belady's oracle for a trace of any length in bounded memory: the next use of every access,
/// computed on disk.
///
/// Pass 1 reads the trace once and writes its page numbers to a temporary file. Pass 2 reads that
/// file backwards in chunks, keeping only the latest index of each distinct page, and writes each
/// access's next use to a second temporary file, which the simulation pass then reads forwards in
/// step with the trace (`annotate`). Memory: 16 to 32 bytes per distinct page plus fixed buffers;
/// disk: 16 bytes per access, in unlinked temporary files that vanish with the process.
final class NextUseSpool {
    private let name: String
    private let nextFile: Int32
    /// Accesses in the trace, and distinct pages.
    let count: Int
    let distinctPages: Int
    private let reader: ChunkReader

    private static let chunk = 1 << 16

    /// Runs both passes over `trace`, whose messages name `name`.
    init(_ trace: any AccessTraceReader, name: String) throws(TraceError) {
        self.name = name
        let pagesFile = try Self.temporaryFile(name)
        defer { close(pagesFile) }
        // Pass 1: page numbers, in trace order.
        let writer = ChunkWriter(fd: pagesFile, name: name)
        let n = try forEachBatch(trace.nextBatch) { batch throws(TraceError) in
            for a in batch { try writer.append(a.page) }
        }
        try writer.flush()
        count = n

        // Pass 2: backwards, the next use of each access.
        nextFile = try Self.temporaryFile(name)
        var last = PageMap<UInt64>(expectedCount: 1 << 12)
        let pages = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: Self.chunk)
        let next = UnsafeMutableBufferPointer<Int64>.allocate(capacity: Self.chunk)
        defer { pages.deallocate(); next.deallocate() }
        var end = n
        while end > 0 {
            let start = max(0, end - Self.chunk)
            let k = end - start
            try Self.readExactly(pagesFile, UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(pages)[0..<(k * 8)]),
                                 at: start * 8, name: name)
            for j in stride(from: k - 1, through: 0, by: -1) {
                let page = UInt64(littleEndian: pages[j])
                let i = UInt64(start + j)
                let slot = last.index(of: page)
                if slot < 0 {
                    next[j] = PageAccess.never
                    last.insert(page, i)
                } else {
                    next[j] = Int64(last.value(at: slot))
                    last.setValue(i, at: slot)
                }
            }
            try Self.writeExactly(nextFile, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(next)[0..<(k * 8)]),
                                  at: start * 8, name: name)
            end = start
        }
        distinctPages = last.count
        reader = ChunkReader(fd: nextFile, name: name, count: n)
    }

    deinit { close(nextFile) }

    /// Fills `nextUse` of the next `batch.count` accesses of the trace, in order.
    func annotate(_ batch: UnsafeMutableBufferPointer<PageAccess>) throws(TraceError) {
        for j in batch.indices { batch[j].nextUse = try reader.next() }
    }

    /// An anonymous temporary file: created and unlinked at once.
    static func temporaryFile(_ name: String) throws(TraceError) -> Int32 {
        let (fd, file) = try TemporaryFile.create("vmsim-opt", for: "OPT", name: name)
        file.remove()
        return fd
    }

    static func readExactly(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int, name: String) throws(TraceError) {
        var done = 0
        while done < buffer.count {
            let r = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else {
                throw TraceError(file: name, message: "cannot read OPT's temporary file: \(r < 0 ? errnoDescription(errno) : "unexpected end")")
            }
            done += r
        }
    }

    static func writeExactly(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int, name: String) throws(TraceError) {
        try TemporaryFile.writeAll(fd, buffer, at: offset, name: name, what: "OPT's temporary file (16 bytes per access)")
    }
}

/// Appends 64-bit values to a file through a fixed buffer.
private final class ChunkWriter {
    let fd: Int32
    let name: String
    let buffer = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 1 << 16)
    var used = 0
    var offset = 0

    init(fd: Int32, name: String) { self.fd = fd; self.name = name }
    deinit { buffer.deallocate() }

    func append(_ value: UInt64) throws(TraceError) {
        if used == buffer.count { try flush() }
        buffer[used] = value.littleEndian
        used += 1
    }

    func flush() throws(TraceError) {
        guard used > 0 else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<(used * 8)])
        try NextUseSpool.writeExactly(fd, bytes, at: offset, name: name)
        offset += bytes.count
        used = 0
    }
}

/// Reads 64-bit values from a file in order through a fixed buffer.
private final class ChunkReader {
    let fd: Int32
    let name: String
    let count: Int
    let buffer = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 1 << 16)
    var position = 0
    var filled = 0
    var consumed = 0

    init(fd: Int32, name: String, count: Int) { self.fd = fd; self.name = name; self.count = count }
    deinit { buffer.deallocate() }

    func next() throws(TraceError) -> Int64 {
        if position == filled {
            let k = min(buffer.count, count - consumed)
            guard k > 0 else {
                throw TraceError(file: name, message: "the trace changed between OPT's passes (it has more accesses now)")
            }
            let bytes = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<(k * 8)])
            try NextUseSpool.readExactly(fd, bytes, at: consumed * 8, name: name)
            consumed += k
            filled = k
            position = 0
        }
        let v = Int64(littleEndian: buffer[position])
        position += 1
        return v
    }
}
