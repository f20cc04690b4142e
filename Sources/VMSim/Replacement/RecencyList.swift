/// A doubly linked recency list over frame slots, linked by index (no class nodes): the shared
/// machinery of LRU and MRU. The head is the most recently used page, the tail the least.
///
/// - Complexity: every operation O(1); 8 bytes of links and 8 bytes of page per frame.
public struct RecencyList: Sendable {
    @usableFromInline var prev: ContiguousArray<Int32>
    @usableFromInline var next: ContiguousArray<Int32>
    @usableFromInline var pages: ContiguousArray<UInt64>
    @usableFromInline var first: Int32 = -1
    @usableFromInline var last: Int32 = -1
    /// Most recently used slot, or -1 when empty.
    @inlinable public var head: Int32 { first }
    /// Least recently used slot, or -1 when empty.
    @inlinable public var tail: Int32 { last }

    public init(capacity: Int) {
        prev = []; next = []; pages = []
        prev.reserveCapacity(capacity); next.reserveCapacity(capacity); pages.reserveCapacity(capacity)
    }

    /// The number of slots in use.
    @inlinable public var count: Int { pages.count }

    /// The page in `slot`.
    @inlinable public func page(_ slot: Int32) -> UInt64 { pages[Int(slot)] }

    /// Appends a new slot holding `page` at the head and returns it.
    @inlinable
    public mutating func pushNew(_ page: UInt64) -> Int32 {
        let s = Int32(truncatingIfNeeded: pages.count)
        pages.append(page)
        prev.append(-1)
        next.append(first)
        if first >= 0 { prev[Int(first)] = s } else { last = s }
        first = s
        return s
    }

    /// Moves `slot` to the head (most recently used).
    @inlinable
    public mutating func moveToHead(_ slot: Int32) {
        guard slot != first else { return }
        let p = prev[Int(slot)], n = next[Int(slot)]
        // slot is not the head, so p >= 0.
        next[Int(p)] = n
        if n >= 0 { prev[Int(n)] = p } else { last = p }
        prev[Int(slot)] = -1
        next[Int(slot)] = first
        prev[Int(first)] = slot
        first = slot
    }

    /// Stores `page` in `slot` and moves the slot to the head.
    @inlinable
    public mutating func replace(_ slot: Int32, with page: UInt64) {
        pages[Int(slot)] = page
        moveToHead(slot)
    }
}
