/// A set of integer positions `0..<capacity` that counts how many marked positions lie after a given
/// one in O(log n): one bit per position, and a Fenwick tree over the popcounts of 64-bit words.
/// The tree has one entry per 64 positions, so it stays in the cache for millions of positions;
/// a query reads one word of bits and walks the small tree.
///
/// - Complexity: O(log(capacity / 64)) per operation; 1/8 byte plus 1/16 byte per position.
@usableFromInline
struct MarkedPositions: Sendable {
    @usableFromInline var words: ContiguousArray<UInt64>
    /// Fenwick tree (1-based) over the popcount of each word.
    @usableFromInline var tree: ContiguousArray<Int32>
    @usableFromInline var marked = 0

    @usableFromInline
    init(capacity: Int) {
        let count = (capacity + 63) / 64
        words = ContiguousArray(repeating: 0, count: count)
        tree = ContiguousArray(repeating: 0, count: count + 1)
    }

    @usableFromInline var capacity: Int { words.count * 64 }

    @inlinable @inline(__always)
    mutating func add(word: Int, _ delta: Int32) {
        var i = word &+ 1
        let n = tree.count
        while i < n {
            tree[i] &+= delta
            i &+= i & -i
        }
    }

    @inlinable @inline(__always)
    mutating func mark(_ p: Int) {
        words[p >> 6] |= 1 << UInt64(p & 63)
        add(word: p >> 6, 1)
        marked &+= 1
    }

    @inlinable @inline(__always)
    mutating func unmark(_ p: Int) {
        words[p >> 6] &= ~(1 << UInt64(p & 63))
        add(word: p >> 6, -1)
        marked &-= 1
    }

    /// Marked positions greater than `p`.
    @inlinable @inline(__always)
    func countAfter(_ p: Int) -> Int {
        // Marks in words before p's word, plus marks in p's word up to and including p.
        var before = 0
        var i = p >> 6
        while i > 0 {
            before &+= Int(tree[i])
            i &-= i & -i
        }
        let bit = UInt64(p & 63)
        let upTo = words[p >> 6] & (bit == 63 ? ~0 : (1 << (bit &+ 1)) &- 1)
        return marked &- before &- upTo.nonzeroBitCount
    }

    /// Clears every mark and rebuilds for `capacity` positions.
    @usableFromInline
    mutating func reset(capacity: Int) {
        self = MarkedPositions(capacity: capacity)
    }

    /// Rebuilds the tree from the words.
    /// - Complexity: O(capacity / 64).
    @usableFromInline
    mutating func rebuildTree() {
        for i in tree.indices { tree[i] = 0 }
        marked = 0
        for w in words.indices {
            let c = Int32(words[w].nonzeroBitCount)
            marked += Int(c)
            var i = w + 1
            tree[i] &+= c
            let parent = i + (i & -i)
            if parent < tree.count { tree[parent] &+= tree[i] }
            i = parent
        }
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
    /// The page whose last reference holds each position.
    @usableFromInline var positionPage: ContiguousArray<UInt64>
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

    public init() {
        map = PageMap(expectedCount: 1 << 12)
        marks = MarkedPositions(capacity: 1 << 13)
        positionPage = ContiguousArray(repeating: 0, count: 1 << 13)
    }

    /// Distinct pages seen.
    public var distinctPages: Int { map.count }

    /// Records one reference and returns its stack distance (0 for a first reference).
    /// - Complexity: O(log n) amortized.
    @inlinable @discardableResult
    public mutating func record(_ page: UInt64) -> Int {
        recorded &+= 1
        if nextPosition == positionPage.count { compact() }
        let p = nextPosition
        nextPosition &+= 1
        positionPage[p] = page
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
            if distance >= counts.count { counts.append(contentsOf: repeatElement(0, count: max(distance + 1 - counts.count, counts.count))) }
            counts[distance] &+= 1
        }
        marks.mark(p)
        return distance
    }

    /// Records a batch of references.
    /// - Complexity: O(batch.count × log n).
    @inlinable
    public mutating func record(_ batch: UnsafeBufferPointer<PageAccess>) {
        let distance = 8
        for a in batch.prefix(distance) { map.prefetch(a.page) }
        for i in batch.indices {
            if i &+ distance < batch.count { map.prefetch(batch[i &+ distance].page) }
            record(batch[i].page)
        }
    }

    /// Forgets `page` (SHARDS drops pages that fall out of its sample).
    /// - Complexity: O(log n).
    @inlinable
    public mutating func remove(_ page: UInt64) {
        guard let old = map.remove(page) else { return }
        marks.unmark(Int(old))
    }

    /// Renumbers the live positions 0, 1, 2, ... in order, growing the space when more than half
    /// of it is live.
    /// - Complexity: O(positions), which amortizes to O(1) per reference.
    @usableFromInline
    @inline(never)
    mutating func compact() {
        let live = marks.marked
        var capacity = positionPage.count
        if live * 2 > capacity { capacity *= 2 }
        var newPages = ContiguousArray<UInt64>(repeating: 0, count: capacity)
        var k = 0
        for (w, word) in marks.words.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                let p = w << 6 | bits.trailingZeroBitCount
                bits &= bits &- 1
                let page = positionPage[p]
                newPages[k] = page
                map.update(page, UInt32(k))
                k += 1
            }
        }
        positionPage = newPages
        marks = MarkedPositions(capacity: capacity)
        for w in 0..<(k >> 6) { marks.words[w] = ~0 }
        if k & 63 != 0 { marks.words[k >> 6] = (1 << UInt64(k & 63)) - 1 }
        marks.rebuildTree()
        nextPosition = k
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
