#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Backing large hot tables with transparent huge pages.
///
/// The hash maps and per-frame arrays of a simulation with hundreds of thousands of frames span
/// tens of megabytes that are hit at random; with 4 KiB pages nearly every probe also misses the
/// TLB. Advising the kernel (`madvise(MADV_HUGEPAGE)`) before the memory is first touched lets it
/// back the 2 MiB-aligned part with huge pages when transparent huge pages are in `madvise` or
/// `always` mode. It is only a hint: where unsupported, nothing changes.
enum HugePages {
    /// Below this size a table fits the TLB's reach anyway.
    static let threshold = 4 << 20

    /// Makes a `ContiguousArray` of `count` copies of `value`, advising huge pages for large ones
    /// before initialising (first touch) them.
    /// - Complexity: O(count).
    static func array<T>(repeating value: T, count: Int) -> ContiguousArray<T> {
        ContiguousArray(unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress {
                advise(UnsafeMutableRawPointer(base), byteCount: count * MemoryLayout<T>.stride)
            }
            buffer.initialize(repeating: value)
            initialized = count
        }
    }

    /// Advises huge pages for the 2 MiB-aligned part of `[start, start + byteCount)`.
    static func advise(_ start: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        guard byteCount >= threshold else { return }
        let huge = 2 << 20
        let first = (Int(bitPattern: start) + huge - 1) & ~(huge - 1)
        let last = (Int(bitPattern: start) + byteCount) & ~(huge - 1)
        guard last > first, let p = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(p, last - first, MADV_HUGEPAGE)
        #endif
    }
}
