/// A node of an index-linked list: its two neighbours by index (`-1` for none). Node structs keep
/// their own payload beside the links (a page number, a block's offset, a frame's order), so one
/// list operation touches one record per node.
@usableFromInline
protocol IndexLinked {
    /// The neighbour towards the head, or -1.
    var prev: Int32 { get set }
    /// The neighbour towards the tail, or -1.
    var next: Int32 { get set }
}

/// The ends and length of one doubly linked list threaded by `Int32` index through a flat array
/// of `IndexLinked` nodes (`ContiguousArray<Node>`, an `UnsafeMutableBufferPointer<Node>` or any
/// mutable collection indexed by `Int`): no class nodes, no allocation per operation. A node is on
/// at most one list at a time; which list is the caller's business (it passes that list's ends).
/// By convention the head is the newest end and the tail the oldest (the victim end).
///
/// The same list serves as a ring: `next(_:wrappingIn:)` goes from the tail back to the head, so
/// inserting before the head puts a node between the tail and the head of the ring.
///
///     var nodes = ContiguousArray(repeating: Link(prev: -1, next: -1), count: 8)
///     var lru = IndexList()
///     nodes.pushHead(3, &lru); nodes.pushHead(5, &lru)   // 5 3
///     nodes.moveToHead(3, &lru)                          // 3 5
///     nodes.popTail(&lru)                                // 5
///
/// - Complexity: O(1) per operation; the operations are `@inlinable`, so each use is specialised
///   for its node type and storage.
@usableFromInline
struct IndexList: Sendable {
    /// The first node, or -1 when empty.
    @usableFromInline var head: Int32 = -1
    /// The last node, or -1 when empty.
    @usableFromInline var tail: Int32 = -1
    /// Nodes on the list.
    @usableFromInline var count: Int = 0
    /// An empty list.
    @inlinable init() {}
    /// Whether the list has no node.
    @inlinable var isEmpty: Bool { count == 0 }

    /// Where a node's `next` link leads on the list taken as a ring: the link itself, or the head
    /// after the tail (-1).
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    func wrapped(_ next: Int32) -> Int32 { next >= 0 ? next : head }
}

extension Collection where Index == Int, Element: IndexLinked {
    /// The node after `n` (towards the tail), or -1 after the tail.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    func next(_ n: Int32) -> Int32 { self[Int(n)].next }

    /// The node before `n` (towards the head), or -1 before the head.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    func prev(_ n: Int32) -> Int32 { self[Int(n)].prev }

    /// The node after `n` on `list` taken as a ring: the head after the tail.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    func next(_ n: Int32, wrappingIn list: IndexList) -> Int32 { list.wrapped(self[Int(n)].next) }

    /// Why `list` is not well linked through these nodes, or nil: every node inside the storage,
    /// each one's `prev` naming the node before it, the tail the last node, `count` the length.
    /// `visit` sees each node, head first, and may return a problem of its own.
    /// - Complexity: O(list length).
    func linkProblem(_ list: IndexList, visit: (Int32) -> String? = { _ in nil }) -> String? {
        var prev: Int32 = -1, n = list.head, length = 0
        while n >= 0 {
            guard Int(n) < count else { return "link to node \(n) outside the storage" }
            if self[Int(n)].prev != prev { return "node \(n) has a wrong prev link" }
            length += 1
            if length > list.count { return "the list is longer than its count \(list.count) (or has a cycle)" }
            if let problem = visit(n) { return problem }
            prev = n
            n = self[Int(n)].next
        }
        if list.tail != prev { return "the tail link is wrong" }
        if length != list.count { return "count \(list.count) but \(length) entries" }
        return nil
    }
}

extension MutableCollection where Index == Int, Element: IndexLinked {

    /// Inserts `n` at the head of `list`.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    mutating func pushHead(_ n: Int32, _ list: inout IndexList) {
        let old = list.head
        self[Int(n)].prev = -1
        self[Int(n)].next = old
        if old >= 0 { self[Int(old)].prev = n } else { list.tail = n }
        list.head = n
        list.count &+= 1
    }

    /// Inserts `n` at the tail of `list`.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    mutating func pushTail(_ n: Int32, _ list: inout IndexList) {
        let old = list.tail
        self[Int(n)].prev = old
        self[Int(n)].next = -1
        if old >= 0 { self[Int(old)].next = n } else { list.head = n }
        list.tail = n
        list.count &+= 1
    }

    /// Inserts `n` just before `successor` (towards the head), or at the tail when `successor` is -1.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    mutating func insert(_ n: Int32, before successor: Int32, _ list: inout IndexList) {
        if successor < 0 { pushTail(n, &list); return }
        let p = self[Int(successor)].prev
        self[Int(n)].prev = p
        self[Int(n)].next = successor
        self[Int(successor)].prev = n
        if p >= 0 { self[Int(p)].next = n } else { list.head = n }
        list.count &+= 1
    }

    /// Unlinks `n`, which must be on `list`. Its own links are left as they were.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    mutating func remove(_ n: Int32, _ list: inout IndexList) {
        let p = self[Int(n)].prev, s = self[Int(n)].next
        if p >= 0 { self[Int(p)].next = s } else { list.head = s }
        if s >= 0 { self[Int(s)].prev = p } else { list.tail = p }
        list.count &-= 1
    }

    /// Puts `new`, which is on no list, in the place of `old` on `list`, and unlinks `old`.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    mutating func replace(_ old: Int32, with new: Int32, _ list: inout IndexList) {
        let p = self[Int(old)].prev, s = self[Int(old)].next
        self[Int(new)].prev = p
        self[Int(new)].next = s
        if p >= 0 { self[Int(p)].next = new } else { list.head = new }
        if s >= 0 { self[Int(s)].prev = new } else { list.tail = new }
    }

    /// Moves `n`, which is on `list`, to its head.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    mutating func moveToHead(_ n: Int32, _ list: inout IndexList) {
        if list.head == n { return }
        remove(n, &list)
        pushHead(n, &list)
    }

    /// Unlinks and returns the tail node of a non-empty `list`.
    /// - Complexity: O(1).
    @inlinable @inline(__always) @discardableResult
    mutating func popTail(_ list: inout IndexList) -> Int32 {
        let n = list.tail
        remove(n, &list)
        return n
    }

}
