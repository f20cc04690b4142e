import CVMSimSupport

/// One node of the policies' lists: the page it stands for and its two neighbours (`-1` for none).
@usableFromInline
struct Link: IndexLinked, Sendable {
    @usableFromInline var page: UInt64
    @usableFromInline var prev: Int32
    @usableFromInline var next: Int32
    @inlinable init(page: UInt64 = 0, prev: Int32, next: Int32) { self.page = page; self.prev = prev; self.next = next }
}

/// The node table of the replacement policies' lists (frame slots, ghost entries): one flat array
/// of 16-byte `(page, prev, next)` nodes that grows as node numbers are used. The list operations
/// are `IndexList`'s (it is a mutable collection of `IndexLinked` nodes); each list's ends live
/// in the policy.
///
///     var links = IndexLinks(count: 8)
///     var lru = IndexList()
///     links.pushHead(3, &lru); links.pushHead(5, &lru)   // 5 3
///     links.moveToHead(3, &lru)                          // 3 5
///     links.popTail(&lru)                                // 5
///
/// - Complexity: O(1) per operation.
@usableFromInline
struct IndexLinks: MutableCollection, RandomAccessCollection, Sendable {
    @usableFromInline var links: ContiguousArray<Link>

    /// Room for `count` nodes to start with (capped at 65,536; `reserve` grows it as nodes are used,
    /// so a huge frame count costs nothing until the trace fills it).
    @inlinable
    init(count: Int) {
        links = ContiguousArray(repeating: Link(prev: -1, next: -1), count: Swift.max(1, Swift.min(count, 1 << 16)))
    }

    @inlinable var startIndex: Int { 0 }
    @inlinable var endIndex: Int { links.count }
    @inlinable subscript(i: Int) -> Link {
        @inline(__always) get { links[i] }
        @inline(__always) _modify { yield &links[i] }
    }

    /// Nodes the array can hold.
    @inlinable var capacity: Int { links.count }

    /// Makes room for nodes `0..<count`.
    @inlinable
    mutating func grow(to count: Int) {
        if count > links.count {
            links.append(contentsOf: repeatElement(Link(prev: -1, next: -1), count: count - links.count))
        }
    }

    /// Makes sure node `n` exists (the array grows by doubling).
    /// - Complexity: O(1) amortized.
    @inlinable @inline(__always)
    mutating func reserve(_ n: Int32) {
        if Int(n) >= links.count { grow(to: Swift.max(Int(n) + 1, links.count * 2)) }
    }

    /// Starts loading node `n` into the cache (no effect on the lists).
    @inlinable @inline(__always)
    func prefetchNode(_ n: Int32) {
        guard n >= 0 else { return }
        links.withUnsafeBufferPointer { vmsim_prefetch($0.baseAddress! + Int(n)) }
    }

    @inlinable @inline(__always) func page(_ n: Int32) -> UInt64 { links[Int(n)].page }
    @inlinable @inline(__always) mutating func setPage(_ n: Int32, _ page: UInt64) { links[Int(n)].page = page }
}

/// Numbers for entries that are not resident (the ghost lists of ARC, CAR, 2Q, S3-FIFO, LIRS):
/// they come after the `frames` slot numbers, so slots and ghosts share one `IndexLinks` and one
/// page map. Freed numbers are reused first.
@usableFromInline
struct GhostNumbers: Sendable {
    @usableFromInline var free: ContiguousArray<Int32> = []
    @usableFromInline var nextFresh: Int32

    @inlinable init(firstNumber: Int) { nextFresh = Int32(truncatingIfNeeded: firstNumber) }

    /// A free ghost number; `links` grows to hold it.
    /// - Complexity: O(1) amortized.
    @inlinable
    mutating func take(_ links: inout IndexLinks) -> Int32 {
        if let n = free.popLast() { return n }
        let n = nextFresh
        nextFresh &+= 1
        links.reserve(n)
        return n
    }

    @inlinable mutating func release(_ n: Int32) { free.append(n) }
}

extension ContiguousArray {
    /// Grows the array with `value` to at least `capacity` elements (per-node side tables that must
    /// keep up with `IndexLinks.capacity`).
    /// - Complexity: O(1) amortized.
    @inlinable @inline(__always)
    mutating func cover(_ capacity: Int, with value: Element) {
        if count < capacity { append(contentsOf: repeatElement(value, count: capacity - count)) }
    }
}

/// A bounded FIFO of ghosts, the page numbers of recently evicted pages (2Q's A1out, S3-FIFO's G):
/// a ghost takes a number after the slots, keeps the page's entry in the policy's map, and the
/// oldest ghost is forgotten when the queue is full.
///
/// - Complexity: O(1) amortized per operation.
@usableFromInline
struct GhostQueue: Sendable {
    @usableFromInline let capacity: Int
    @usableFromInline var entries = IndexList()
    @usableFromInline var numbers: GhostNumbers

    /// A queue of up to `capacity` ghosts numbered from `firstNumber` (the policy's frame count).
    @inlinable
    init(capacity: Int, firstNumber: Int) {
        self.capacity = capacity
        numbers = GhostNumbers(firstNumber: firstNumber)
    }

    /// Remembers `victim`, just evicted and still in `map`: its entry now names the new ghost,
    /// which is returned; with no room at all (capacity 0) the entry is removed and `nil` returned.
    @inlinable
    mutating func remember(_ victim: UInt64, _ nodes: inout IndexLinks, _ map: inout PageMap<Int32>) -> Int32? {
        guard capacity > 0 else { map.remove(victim); return nil }
        if entries.count >= capacity {
            let old = nodes.popTail(&entries)
            map.remove(nodes.page(old))
            numbers.release(old)
        }
        let g = numbers.take(&nodes)
        nodes.setPage(g, victim)
        nodes.pushHead(g, &entries)
        map.update(victim, g)
        return g
    }

    /// Forgets ghost `g` (its page was referenced again; the caller updates the map).
    @inlinable
    mutating func forget(_ g: Int32, _ nodes: inout IndexLinks) {
        nodes.remove(g, &entries)
        numbers.release(g)
    }
}
