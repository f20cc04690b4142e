import CVMSimSupport

/// One node of an index-linked list: the page it stands for and its two neighbours (`-1` for none).
@usableFromInline
struct Link: Sendable {
    @usableFromInline var page: UInt64
    @usableFromInline var prev: Int32
    @usableFromInline var next: Int32
    @inlinable init(page: UInt64 = 0, prev: Int32, next: Int32) { self.page = page; self.prev = prev; self.next = next }
}

/// The ends and length of one list threaded through `IndexLinks`. By convention the head is the
/// newest (most recently inserted or used) end and the tail the oldest (the victim end).
@usableFromInline
struct ListEnds: Sendable {
    @usableFromInline var head: Int32 = -1
    @usableFromInline var tail: Int32 = -1
    @usableFromInline var count: Int = 0
    @inlinable init() {}
    @inlinable var isEmpty: Bool { count == 0 }
}

/// Doubly linked lists over small integer node numbers (frame slots, ghost entries), stored as one
/// flat array of 16-byte `(page, prev, next)` nodes: no class nodes, no allocation per operation. A node is on at
/// most one list at a time; which list is the caller's business (it passes that list's `ListEnds`).
///
///     var links = IndexLinks(count: 8)
///     var lru = ListEnds()
///     links.pushHead(3, &lru); links.pushHead(5, &lru)   // 5 3
///     links.moveToHead(3, &lru)                          // 3 5
///     links.popTail(&lru)                                // 5
///
/// - Complexity: O(1) per operation.
@usableFromInline
struct IndexLinks: Sendable {
    @usableFromInline var links: ContiguousArray<Link>

    /// Room for `count` nodes to start with (capped at 65,536; `reserve` grows it as nodes are used,
    /// so a huge frame count costs nothing until the trace fills it).
    @inlinable
    init(count: Int) {
        links = ContiguousArray(repeating: Link(prev: -1, next: -1), count: max(1, min(count, 1 << 16)))
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
        if Int(n) >= links.count { grow(to: max(Int(n) + 1, links.count * 2)) }
    }

    /// Starts loading node `n` into the cache (no effect on the lists).
    @inlinable @inline(__always)
    func prefetchNode(_ n: Int32) {
        guard n >= 0 else { return }
        links.withUnsafeBufferPointer { vmsim_prefetch($0.baseAddress! + Int(n)) }
    }

    @inlinable @inline(__always) func next(_ n: Int32) -> Int32 { links[Int(n)].next }
    @inlinable @inline(__always) func page(_ n: Int32) -> UInt64 { links[Int(n)].page }
    @inlinable @inline(__always) mutating func setPage(_ n: Int32, _ page: UInt64) { links[Int(n)].page = page }
    @inlinable @inline(__always) func prev(_ n: Int32) -> Int32 { links[Int(n)].prev }

    /// Inserts `n` at the head (newest end) of `list`.
    @inlinable @inline(__always)
    mutating func pushHead(_ n: Int32, _ list: inout ListEnds) {
        links[Int(n)].prev = -1
        links[Int(n)].next = list.head
        if list.head >= 0 { links[Int(list.head)].prev = n } else { list.tail = n }
        list.head = n
        list.count &+= 1
    }

    /// Inserts `n` at the tail (oldest end) of `list`.
    @inlinable @inline(__always)
    mutating func pushTail(_ n: Int32, _ list: inout ListEnds) {
        links[Int(n)].prev = list.tail
        links[Int(n)].next = -1
        if list.tail >= 0 { links[Int(list.tail)].next = n } else { list.head = n }
        list.tail = n
        list.count &+= 1
    }

    /// Inserts `n` just before `successor` (towards the head), or at the tail when `successor` is -1.
    @inlinable
    mutating func insert(_ n: Int32, before successor: Int32, _ list: inout ListEnds) {
        if successor < 0 { pushTail(n, &list); return }
        let p = links[Int(successor)].prev
        links[Int(n)].prev = p
        links[Int(n)].next = successor
        links[Int(successor)].prev = n
        if p >= 0 { links[Int(p)].next = n } else { list.head = n }
        list.count &+= 1
    }

    /// Unlinks `n`, which must be on `list`.
    @inlinable @inline(__always)
    mutating func remove(_ n: Int32, _ list: inout ListEnds) {
        let l = links[Int(n)]
        if l.prev >= 0 { links[Int(l.prev)].next = l.next } else { list.head = l.next }
        if l.next >= 0 { links[Int(l.next)].prev = l.prev } else { list.tail = l.prev }
        list.count &-= 1
    }

    /// Moves `n`, which is on `list`, to its head.
    @inlinable @inline(__always)
    mutating func moveToHead(_ n: Int32, _ list: inout ListEnds) {
        if list.head == n { return }
        remove(n, &list)
        pushHead(n, &list)
    }

    /// Unlinks and returns the tail (oldest) node of a non-empty `list`.
    @inlinable @inline(__always) @discardableResult
    mutating func popTail(_ list: inout ListEnds) -> Int32 {
        let n = list.tail
        remove(n, &list)
        return n
    }
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
    @usableFromInline var entries = ListEnds()
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
