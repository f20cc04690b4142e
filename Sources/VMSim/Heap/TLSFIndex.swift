/// The free-block index of TLSF, two-level segregated fit (Masmano, Ripoll, Crespo and Real,
/// "TLSF: a new dynamic memory allocator for real-time systems", ECRTS 2004; the layout follows
/// Matthew Conte's tlsf.c): a first level by powers of two, each split into 32 linear second-level
/// lists, with a bitmap per level, so that finding a list and taking its head are O(1).
///
/// Sizes below 256 bytes map linearly to 32 lists of 8 bytes (first level 0). A search rounds the
/// request up to the next list boundary (`mapping_search`), so any block of the list it finds fits
/// without looking at it; lists are LIFO. Splitting, growth and coalescing are the free-list
/// heap's (FreeListAllocator).
public struct TLSFIndex: Sendable {
    /// log2 of the second-level lists per first-level class (SL_INDEX_COUNT_LOG2).
    public static let secondLevelLog2 = 5
    @usableFromInline static let secondLevelCount = 1 << secondLevelLog2
    /// Sizes below this are the linear first class (SMALL_BLOCK_SIZE).
    public static let smallBlockSize: UInt64 = 256
    /// log2 of `smallBlockSize` (FL_INDEX_SHIFT).
    @usableFromInline static let firstLevelShift = 8
    static let firstLevelCount = 64 - firstLevelShift + 1

    @usableFromInline var heads: ContiguousArray<Int32>
    @usableFromInline var firstLevelMap: UInt64 = 0
    @usableFromInline var secondLevelMaps: ContiguousArray<UInt32>
    @usableFromInline var next: ContiguousArray<Int32> = []
    @usableFromInline var prev: ContiguousArray<Int32> = []

    /// An empty index.
    /// - Complexity: O(1): a fixed table of list heads.
    public init() {
        heads = ContiguousArray(repeating: -1, count: Self.firstLevelCount * Self.secondLevelCount)
        secondLevelMaps = ContiguousArray(repeating: 0, count: Self.firstLevelCount)
    }

    @inlinable mutating func reserve(_ blockCount: Int) {
        while next.count < blockCount { next.append(-1); prev.append(-2) }
    }

    /// The (first, second) level list of a block of `size` bytes (`mapping_insert`).
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public static func mapping(_ size: UInt64) -> (fl: Int, sl: Int) {
        if size < smallBlockSize { return (0, Int(size >> 3)) }
        let log2 = 63 &- size.leadingZeroBitCount
        let sl = Int(truncatingIfNeeded: size >> UInt64(log2 &- secondLevelLog2)) ^ secondLevelCount
        return (log2 &- (firstLevelShift &- 1), sl)
    }

    /// Adds free block `b` at the head of its list.
    /// - Complexity: O(1).
    @inlinable
    mutating func insert(_ b: Int32, size: UInt64) {
        let (fl, sl) = Self.mapping(size)
        let i = fl &* Self.secondLevelCount &+ sl
        let h = heads[i]
        next[Int(b)] = h
        prev[Int(b)] = -1
        if h >= 0 { prev[Int(h)] = b }
        heads[i] = b
        firstLevelMap |= 1 << UInt64(fl)
        secondLevelMaps[fl] |= 1 << UInt32(sl)
    }

    /// Takes free block `b` (of `size` bytes) off its list.
    /// - Complexity: O(1).
    @inlinable
    mutating func remove(_ b: Int32, size: UInt64) {
        let (fl, sl) = Self.mapping(size)
        let i = fl &* Self.secondLevelCount &+ sl
        let p = prev[Int(b)], n = next[Int(b)]
        if p >= 0 { next[Int(p)] = n } else { heads[i] = n }
        if n >= 0 { prev[Int(n)] = p }
        prev[Int(b)] = -2
        if heads[i] < 0 {
            secondLevelMaps[fl] &= ~(1 << UInt32(sl))
            if secondLevelMaps[fl] == 0 { firstLevelMap &= ~(1 << UInt64(fl)) }
        }
    }

    /// Whether block `b` is on a list.
    @inlinable func contains(_ b: Int32) -> Bool { Int(b) < prev.count && prev[Int(b)] != -2 }

    /// The head of the first non-empty list whose every block holds `size` bytes, or -1
    /// (`mapping_search` then `search_suitable_block`).
    /// - Complexity: O(1).
    @inlinable
    func find(_ size: UInt64) -> Int32 {
        var rounded = size
        if size >= Self.smallBlockSize {
            let log2 = 63 &- size.leadingZeroBitCount
            let (r, overflow) = size.addingReportingOverflow((1 << UInt64(log2 &- Self.secondLevelLog2)) &- 1)
            if overflow { return -1 }
            rounded = r
        }
        var (fl, sl) = Self.mapping(rounded)
        var slMap = secondLevelMaps[fl] & (sl >= 32 ? 0 : ~UInt32(0) << UInt32(sl))
        if slMap == 0 {
            let flMap = fl &+ 1 >= 64 ? 0 : firstLevelMap & (~UInt64(0) << UInt64(fl &+ 1))
            if flMap == 0 { return -1 }
            fl = flMap.trailingZeroBitCount
            slMap = secondLevelMaps[fl]
        }
        sl = slMap.trailingZeroBitCount
        return heads[fl &* Self.secondLevelCount &+ sl]
    }

    /// The largest free block: the biggest in the highest non-empty list.
    /// - Complexity: O(length of that list).
    func largest(_ blocks: ContiguousArray<HeapBlock>) -> UInt64 {
        guard firstLevelMap != 0 else { return 0 }
        let fl = 63 - firstLevelMap.leadingZeroBitCount
        let sl = 31 - secondLevelMaps[fl].leadingZeroBitCount
        var b = heads[fl * Self.secondLevelCount + sl], best: UInt64 = 0
        while b >= 0 { best = max(best, blocks[Int(b)].size); b = next[Int(b)] }
        return best
    }

    /// Checks that every listed block is free, on the list its size maps to, and that the bitmaps
    /// match the lists. Returns what is wrong, or nil.
    /// - Complexity: O(n).
    func validate(_ blocks: ContiguousArray<HeapBlock>, freeCount: Int) -> String? {
        var listed = 0
        for fl in 0..<Self.firstLevelCount {
            for sl in 0..<Self.secondLevelCount {
                var b = heads[fl * Self.secondLevelCount + sl], p: Int32 = -1
                let bit = secondLevelMaps[fl] & (1 << UInt32(sl)) != 0
                if bit != (b >= 0) { return "TLSF bitmap disagrees with list (\(fl), \(sl))" }
                while b >= 0 {
                    listed += 1
                    if blocks[Int(b)].state != HeapBlock.free { return "TLSF list holds block \(b), which is not free" }
                    if Self.mapping(blocks[Int(b)].size) != (fl, sl) { return "TLSF block \(b) is on the wrong list" }
                    if prev[Int(b)] != p { return "TLSF back link wrong at block \(b)" }
                    p = b
                    b = next[Int(b)]
                    if listed > freeCount { return "TLSF lists hold more blocks than are free" }
                }
            }
            if (firstLevelMap & (1 << UInt64(fl)) != 0) != (secondLevelMaps[fl] != 0) {
                return "TLSF first-level bitmap disagrees at \(fl)"
            }
        }
        return listed == freeCount ? nil : "TLSF lists hold \(listed) blocks, \(freeCount) are free"
    }
}
