#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim

/// Writes byte-level accesses (after translation: physical addresses) in a text trace format, so
/// that a DRAM or cache simulator that needs physical addresses can read them:
///
/// - `lackey`: `I  %08lx,SIZE` and ` L|S|M %08lx,SIZE`, as Valgrind prints them;
/// - `din`: `LABEL HEXADDR` (0 read, 1 write, 2 fetch; a modify is a read line then a write line);
/// - `plain`: the physical page number at `pageSize`, one a line.
///
/// Output goes through a 1 MiB buffer; nothing is allocated per record.
public final class PhysicalTraceWriter {
    /// The format written: `lackey`, `din` or `plain`.
    public let format: TraceFormat
    let path: String
    let fd: Int32
    let pageShift: UInt64
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity = 1 << 20
    var used = 0
    /// Lines written.
    public private(set) var lines: UInt64 = 0

    /// Creates (or truncates) `path` (`-` is standard output).
    /// - Throws: `TraceError` when the file cannot be created, or `format` has no writer
    ///   (oracle-general: its records carry next-use times that a translation cannot keep).
    /// - Complexity: O(1).
    public init(path: String, format: TraceFormat, pageSize: PageSize) throws(TraceError) {
        guard format != .oracleGeneral else {
            throw TraceError(file: path, message: "physical traces can be written as lackey, din or plain, not oracle-general")
        }
        self.format = format
        self.path = path
        pageShift = UInt64(pageSize.shift)
        if path == "-" {
            fd = STDOUT_FILENO
        } else {
            fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw TraceError(file: path, message: "cannot create: \(errnoDescription(errno))") }
        }
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        if fd != STDOUT_FILENO { close(fd) }
    }

    /// Appends `records` in the writer's format.
    /// - Complexity: O(records.count).
    public func write(_ records: UnsafeBufferPointer<AddressAccess>) throws(TraceError) {
        for r in records {
            if used > capacity - 128 { try flush() }
            switch format {
            case .lackey:
                switch r.kind {
                case .instruction: put(UInt8(ascii: "I")); put(0x20); put(0x20)
                case .load: put(0x20); put(UInt8(ascii: "L")); put(0x20)
                case .store: put(0x20); put(UInt8(ascii: "S")); put(0x20)
                case .modify: put(0x20); put(UInt8(ascii: "M")); put(0x20)
                }
                putHex(r.address, minDigits: 8)
                put(UInt8(ascii: ","))
                putDecimal(UInt64(r.size))
                put(0x0a)
                lines &+= 1
            case .din:
                switch r.kind {
                case .load: dinLine(0, r.address)
                case .store: dinLine(1, r.address)
                case .instruction: dinLine(2, r.address)
                case .modify: dinLine(0, r.address); dinLine(1, r.address)
                }
            case .plain:
                putDecimal(r.address >> pageShift)
                put(0x0a)
                lines &+= 1
            case .oracleGeneral:
                break
            }
        }
    }

    /// Writes out the buffer.
    /// - Complexity: O(bytes buffered), at most 1 MiB.
    public func flush() throws(TraceError) {
        var done = 0
        while done < used {
            let n = Glibc.write(fd, buffer + done, used - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw TraceError(file: path, message: "write failed: \(errnoDescription(errno))") }
            done += n
        }
        used = 0
    }

    @inline(__always) private func put(_ b: UInt8) {
        buffer[used] = b
        used &+= 1
    }

    @inline(__always) private func dinLine(_ label: UInt8, _ address: UInt64) {
        put(0x30 + label)
        put(0x20)
        putHex(address, minDigits: 1)
        put(0x0a)
        lines &+= 1
    }

    @inline(__always) private func putHex(_ value: UInt64, minDigits: Int) {
        let digits = max(minDigits, (67 - value.leadingZeroBitCount) / 4)
        var i = digits
        var v = value
        while i > 0 {
            i -= 1
            let d = UInt8(truncatingIfNeeded: v & 0xf)
            buffer[used + i] = d < 10 ? 0x30 + d : 0x57 + d
            v >>= 4
        }
        used &+= digits
    }

    @inline(__always) private func putDecimal(_ value: UInt64) {
        var digits = 1
        var t = value
        while t >= 10 { t /= 10; digits &+= 1 }
        var v = value
        var i = digits
        repeat {
            i -= 1
            buffer[used + i] = 0x30 + UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        } while i > 0
        used &+= digits
    }
}
