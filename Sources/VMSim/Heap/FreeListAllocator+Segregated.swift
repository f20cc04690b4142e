// Segregated fits (CS:APP 9.9.14): free blocks are kept by size class, and an allocation searches
// its own class first, then the next larger non-empty class.
//
// Classes are the powers of two: class k holds blocks of [2^k, 2^(k+1)) bytes. Within a class the
// list is in address order and searched first fit. Any block of a larger class fits (it is at
// least 2^(k+1) bytes, and the request is below that), so the answer is the first block in
// (class, address) order that is at least the request, from the request's class on: one query on
// the tree keyed by (class, address), O(log n). Splitting, growth and coalescing are the free-list
// heap's (FreeListAllocator); a remainder goes to the class of its own size.

extension FreeListAllocator {
    /// The size class of a block of `size` bytes: floor(log2(size)).
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public static func sizeClass(_ size: UInt64) -> UInt64 {
        UInt64(63 &- Swift.max(size, 1).leadingZeroBitCount)
    }
}
