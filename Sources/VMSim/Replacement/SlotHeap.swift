/// An indexed binary max-heap of frame slots keyed by 64-bit priorities, for policies that evict
/// the slot with the largest key (OPT: the furthest next use; LRU-K: the oldest second-to-last
/// reference). Each slot's key and heap position are kept per slot, so a slot's key can change
/// in place.
///
///     var heap = SlotHeap()
///     heap.insert(0, key: 7); heap.insert(1, key: 9)
///     heap.top                        // 1
///
/// - Complexity: O(log n) per insertion, key change or removal; 16 bytes per slot.
@usableFromInline
struct SlotHeap: Sendable {
    @usableFromInline var keys: ContiguousArray<UInt64> = []
    @usableFromInline var heap: ContiguousArray<Int32> = []
    /// Each slot's index in `heap`, -1 when it is not in the heap.
    @usableFromInline var position: ContiguousArray<Int32> = []

    @inlinable init(capacity: Int = 0) {
        keys.reserveCapacity(capacity)
        heap.reserveCapacity(capacity)
        position.reserveCapacity(capacity)
    }

    @inlinable var isEmpty: Bool { heap.isEmpty }
    /// The slot with the largest key.
    @inlinable var top: Int32 { heap[0] }
    @inlinable func key(_ slot: Int32) -> UInt64 { keys[Int(slot)] }
    @inlinable func contains(_ slot: Int32) -> Bool { Int(slot) < position.count && position[Int(slot)] >= 0 }

    /// Adds `slot`, which is not in the heap.
    @inlinable
    mutating func insert(_ slot: Int32, key: UInt64) {
        let i = Int(slot)
        if i >= keys.count {
            keys.append(contentsOf: repeatElement(0, count: i + 1 - keys.count))
            position.append(contentsOf: repeatElement(-1, count: i + 1 - position.count))
        }
        keys[i] = key
        position[i] = Int32(truncatingIfNeeded: heap.count)
        heap.append(slot)
        siftUp(heap.count - 1)
    }

    /// Changes the key of `slot`, which is in the heap.
    @inlinable
    mutating func update(_ slot: Int32, key: UInt64) {
        let old = keys[Int(slot)]
        keys[Int(slot)] = key
        if key > old { siftUp(Int(position[Int(slot)])) } else { siftDown(Int(position[Int(slot)])) }
    }

    /// Removes and returns the slot with the largest key.
    @inlinable @discardableResult
    mutating func popTop() -> Int32 {
        let s = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            position[Int(last)] = 0
            siftDown(0)
        }
        position[Int(s)] = -1
        return s
    }

    @inlinable
    mutating func siftUp(_ start: Int) {
        var i = start
        let s = heap[i]
        let k = keys[Int(s)]
        while i > 0 {
            let parent = (i &- 1) >> 1
            let ps = heap[parent]
            if keys[Int(ps)] >= k { break }
            heap[i] = ps
            position[Int(ps)] = Int32(truncatingIfNeeded: i)
            i = parent
        }
        heap[i] = s
        position[Int(s)] = Int32(truncatingIfNeeded: i)
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        let s = heap[i]
        let k = keys[Int(s)]
        while true {
            var child = 2 &* i &+ 1
            if child >= n { break }
            if child &+ 1 < n && keys[Int(heap[child &+ 1])] > keys[Int(heap[child])] { child &+= 1 }
            let cs = heap[child]
            if keys[Int(cs)] <= k { break }
            heap[i] = cs
            position[Int(cs)] = Int32(truncatingIfNeeded: i)
            i = child
        }
        heap[i] = s
        position[Int(s)] = Int32(truncatingIfNeeded: i)
    }
}
