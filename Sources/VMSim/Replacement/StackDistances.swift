import CVMSimSupport

/// A set of integer positions `0..<capacity` that counts how many marked positions lie after a given
/// one in O(log n): one bit per position, grouped in 512-bit blocks (one cache line of eight words),
/// and a Fenwick tree over the blocks' counts. The tree has one entry per 512 positions, so it stays
/// in the cache for millions of positions; a query reads one cache line of bits and walks the tree.
///
/// - Complexity: O(log(capacity / 512)) per operation; 1/8 byte plus 1/128 byte per position.
@usableFromInline
struct MarkedPositions: Sendable {
    @usableFromInline var words: ContiguousArray<UInt64>
    /// Fenwick tree (1-based) over the number of marks in each 512-bit block.
    @usableFromInline var tree: ContiguousArray<Int32>
    @usableFromInline var marked = 0

    @usableFromInline
    init(capacity: Int) {
        let blocks = (capacity + 511) / 512
        words = ContiguousArray(repeating: 0, count: blocks * 8)
        tree = ContiguousArray(repeating: 0, count: blocks + 1)
    }

    @usableFromInline var capacity: Int { words.count * 64 }

    @inlinable @inline(__always)
    mutating func add(block: Int, _ delta: Int32) {
        var i = block &+ 1
        let n = tree.count
        while i < n {
            tree[i] &+= delta
            i &+= i & -i
        }
    }

    @inlinable @inline(__always)
    mutating func mark(_ p: Int) {
        words[p >> 6] |= 1 << UInt64(p & 63)
        add(block: p >> 9, 1)
        marked &+= 1
    }

    @inlinable @inline(__always)
    mutating func unmark(_ p: Int) {
        words[p >> 6] &= ~(1 << UInt64(p & 63))
        add(block: p >> 9, -1)
        marked &-= 1
    }

    /// Marks at positions up to and including `p`, within `p`'s block.
    @inlinable @inline(__always)
    func marksInBlock(upTo p: Int) -> Int {
        let w = p >> 6
        var count = 0
        var k = w & ~7
        while k < w {
            count &+= words[k].nonzeroBitCount
            k &+= 1
        }
        let bit = UInt64(p & 63)
        return count &+ (words[w] & (bit == 63 ? ~0 : (1 << (bit &+ 1)) &- 1)).nonzeroBitCount
    }

    /// Marked positions greater than `p`.
    @inlinable @inline(__always)
    func countAfter(_ p: Int) -> Int {
        var before = 0
        var i = p >> 9
        while i > 0 {
            before &+= Int(tree[i])
            i &-= i & -i
        }
        return marked &- before &- marksInBlock(upTo: p)
    }

    /// Marks positions `0..<count` only, for `capacity` positions.
    /// - Complexity: O(capacity / 64).
    @usableFromInline
    mutating func resetToPrefix(_ count: Int, capacity: Int) {
        self = MarkedPositions(capacity: capacity)
        for w in 0..<(count >> 6) { words[w] = ~0 }
        if count & 63 != 0 { words[count >> 6] = (1 << UInt64(count & 63)) - 1 }
        marked = count
        // Each block's count, then the Fenwick tree built in place in O(blocks).
        for b in 0..<(tree.count - 1) {
            var c: Int32 = 0
            for k in (b * 8)..<(b * 8 + 8) { c += Int32(words[k].nonzeroBitCount) }
            tree[b + 1] = c
        }
        for i in 1..<tree.count {
            let parent = i + (i & -i)
            if parent < tree.count { tree[parent] &+= tree[i] }
        }
    }

    /// For each word, the marks in the words before it (for renumbering in rank order).
    @usableFromInline
    func wordRanks() -> ContiguousArray<Int32> {
        var ranks = ContiguousArray<Int32>(repeating: 0, count: words.count)
        var sum: Int32 = 0
        for w in words.indices {
            ranks[w] = sum
            sum &+= Int32(words[w].nonzeroBitCount)
        }
        return ranks
    }
}

/// LRU stack distances in one pass (Mattson et al., 1970), with an O(log n) counting structure
/// (Bennett & Kruskal, 1975): each page's last reference holds a marked position in time order, and
/// the stack distance of a reference is the number of marked positions after its page's previous
/// one, plus one (the number of distinct pages referenced since, itself included). Position numbers
/// are compacted when they run out, so memory grows with the distinct pages, not the trace.
///
/// LRU at `c` frames hits a reference exactly when its stack distance is at most `c`, so the
/// histogram of distances gives LRU's misses at every memory size at once:
/// `misses(c) = cold + Σ_{d > c} histogram[d]`.
///
///     var sd = StackDistances()
///     sd.record(pages)            // every batch of the trace
///     sd.curve(upTo: 64)          // misses at 1...64 frames
///
/// - Complexity: O(log n) per reference for n distinct pages; about 40 bytes per distinct page.
public struct StackDistances: Sendable {
    @usableFromInline var map: PageMap<UInt32>
    @usableFromInline var marks: MarkedPositions
    @usableFromInline var nextPosition = 0
    @usableFromInline var counts: ContiguousArray<UInt64> = [0]
    @usableFromInline var cold: UInt64 = 0
    @usableFromInline var recorded: UInt64 = 0

    /// `histogram[d]`: references at stack distance `d` (index 0 unused; may run past the largest
    /// distance with zeros).
    public var histogram: ContiguousArray<UInt64> { counts }
    /// First references to a page (infinite distance, compulsory misses).
    public var coldMisses: UInt64 { cold }
    /// References recorded.
    public var references: UInt64 { recorded }

    /// An empty recorder.
    /// - Complexity: O(1): tables of 2^12 pages and 2^16 positions.
    public init() {
        map = PageMap(expectedCount: 1 << 12)
        marks = MarkedPositions(capacity: 1 << 16)
    }

    /// Distinct pages seen.
    public var distinctPages: Int { map.count }

    /// Records one reference and returns its stack distance (0 for a first reference), without
    /// counting it in the histogram.
    /// - Complexity: O(log n) amortized.
    @inlinable
    public mutating func distance(of page: UInt64) -> Int {
        recorded &+= 1
        if nextPosition == marks.capacity { compact() }
        let p = nextPosition
        nextPosition &+= 1
        let i = map.index(of: page)
        var distance = 0
        if i < 0 {
            cold &+= 1
            map.insert(page, UInt32(truncatingIfNeeded: p))
        } else {
            let old = Int(map.value(at: i))
            distance = marks.countAfter(old) &+ 1
            marks.unmark(old)
            map.setValue(UInt32(truncatingIfNeeded: p), at: i)
        }
        marks.mark(p)
        return distance
    }

    /// Records one reference and returns its stack distance (0 for a first reference).
    /// - Complexity: O(log n) amortized.
    @inlinable @discardableResult
    public mutating func record(_ page: UInt64) -> Int {
        let d = distance(of: page)
        if d > 0 {
            reserveHistogram(d)
            counts[d] &+= 1
        }
        return d
    }

    @inlinable @inline(__always)
    mutating func reserveHistogram(_ d: Int) {
        if d >= counts.count { counts.append(contentsOf: repeatElement(0, count: max(d + 1 - counts.count, counts.count))) }
    }

    /// Records a batch of references.
    ///
    /// The histogram of a trace with many pages is larger than the cache and its counters are hit
    /// at random, so each count is made 16 references after its distance is known, with the
    /// counter's cache line prefetched in between.
    /// - Complexity: O(batch.count × log n).
    @inlinable
    public mutating func record(_ batch: UnsafeBufferPointer<PageAccess>) {
        let ahead = 8
        for a in batch.prefix(ahead) { map.prefetch(a.page) }
        var pending = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &pending) { raw in
            let ring = raw.bindMemory(to: Int.self)
            for i in batch.indices {
                if i &+ ahead < batch.count { map.prefetch(batch[i &+ ahead].page) }
                let d = distance(of: batch[i].page)
                let slot = i & 15
                let due = ring[slot]
                if due > 0 { counts[due] &+= 1 }
                if d > 0 {
                    reserveHistogram(d)
                    counts.withUnsafeBufferPointer { vmsim_prefetch($0.baseAddress! + d) }
                }
                ring[slot] = d
            }
            for d in ring where d > 0 { counts[d] &+= 1 }
        }
    }

    /// Forgets `page` (SHARDS drops pages that fall out of its sample).
    /// - Complexity: O(log n).
    @inlinable
    public mutating func remove(_ page: UInt64) {
        guard let old = map.remove(page) else { return }
        marks.unmark(Int(old))
    }

    /// Renumbers the live positions 0, 1, 2, ... in order (a page's new position is the rank of its
    /// old one), making room for at least 15 times as many positions as live pages.
    /// - Complexity: O(positions / 64 + map capacity), once per (at least) 15 × live references, so
    ///   O(1) amortized per reference.
    @usableFromInline
    @inline(never)
    mutating func compact() {
        let live = marks.marked
        var capacity = marks.capacity
        while capacity < 16 * live { capacity *= 2 }
        let ranks = marks.wordRanks()
        let words = marks.words
        map.transformValues { old in
            let p = Int(old)
            let bit = UInt64(p & 63)
            let below = words[p >> 6] & ((1 << bit) &- 1)
            return UInt32(Int(ranks[p >> 6]) + below.nonzeroBitCount)
        }
        marks.resetToPrefix(live, capacity: capacity)
        nextPosition = live
    }

    /// LRU's misses at each memory size `1...maxFrames`.
    /// - Complexity: O(maxFrames + largest distance).
    public func misses(upTo maxFrames: Int) -> [UInt64] {
        // misses(c) = cold + references at distance > c.
        var result = [UInt64](repeating: coldMisses, count: maxFrames)
        var above: UInt64 = 0
        var d = histogram.count - 1
        while d > maxFrames { above &+= histogram[d]; d -= 1 }
        var c = maxFrames
        while c >= 1 {
            result[c - 1] = coldMisses &+ above
            if c < histogram.count { above &+= histogram[c] }
            c -= 1
        }
        return result
    }
}
