#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim

/// A fixed-size window over a `ByteStream`: the readers parse straight from these bytes.
///
/// `bytes[start..<end]` is the unconsumed data. `refill()` moves it to the front and reads more
/// behind it, so the window never grows: memory stays bounded whatever the trace's size.
final class InputBuffer {
    let stream: ByteStream
    let capacity: Int
    let base: UnsafeMutableRawPointer
    var start = 0
    var end = 0
    /// True once the stream has returned end of file.
    private(set) var atEnd = false
    /// Stream offset of `base[0]`, for error positions in binary formats.
    private(set) var baseOffset: UInt64 = 0

    init(stream: ByteStream, capacity: Int = 1 << 20) {
        self.stream = stream
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Unconsumed bytes.
    var available: Int { end - start }

    /// Stream offset of the first unconsumed byte.
    var offset: UInt64 { baseOffset + UInt64(start) }

    /// Moves the unconsumed bytes to the front and reads until the window is full or the stream
    /// ends. Returns false when no new bytes arrived (end of stream, or the window was already full).
    @discardableResult
    func refill() throws(TraceError) -> Bool {
        if start > 0 {
            let n = end - start
            if n > 0 { memmove(base, base + start, n) }
            baseOffset += UInt64(start)
            start = 0
            end = n
        }
        var added = false
        while !atEnd && end < capacity {
            let n = try stream.read(into: UnsafeMutableRawBufferPointer(start: base + end, count: capacity - end))
            if n == 0 { atEnd = true; break }
            end += n
            added = true
            // Stop once there is a useful amount, rather than blocking on a slow pipe to fill it all.
            if end >= capacity / 2 { break }
        }
        return added
    }
}
