/// The state of every id a heap trace has named: a direct array for small ids (malloc-lab ids
/// and OSTEP pointer indexes are dense from 0, and an array keeps neighbouring ids in the same
/// cache lines), an open-addressing hash map for the rest (Valgrind's addresses).
///
///     var ids = HeapIDMap()
///     ids[42] = 7
///     ids[42]            // 7
///     ids.remove(42)
///     ids[42]            // HeapIDMap.absent
@usableFromInline
struct HeapIDMap: Sendable {
    /// What a lookup of an id never stored gives.
    @usableFromInline static var absent: UInt64 { .max }
    /// Ids below this go to the array (which grows to the largest one seen, at most 32 MiB).
    @usableFromInline static var denseLimit: UInt64 { 1 << 22 }

    @usableFromInline var dense: ContiguousArray<UInt64> = []
    @usableFromInline var sparse = PageMap<UInt64>(expectedCount: 1024)

    @usableFromInline init() {}

    /// The value stored for `id`, or `absent`.
    /// - Complexity: O(1) expected.
    @inlinable
    subscript(id: UInt64) -> UInt64 {
        get {
            if id < Self.denseLimit { return id < UInt64(dense.count) ? dense[Int(id)] : Self.absent }
            return sparse.find(id)
        }
        set {
            precondition(newValue != Self.absent, "absent is not a value")
            if id < Self.denseLimit {
                if id >= UInt64(dense.count) { growDense(to: Int(id) + 1) }
                dense[Int(id)] = newValue
                return
            }
            let i = sparse.index(of: id)
            if i >= 0 { sparse.setValue(newValue, at: i) } else { sparse.insert(id, newValue) }
        }
    }

    /// Forgets `id`.
    /// - Complexity: O(1) expected.
    @inlinable
    mutating func remove(_ id: UInt64) {
        if id < Self.denseLimit {
            if id < UInt64(dense.count) { dense[Int(id)] = Self.absent }
        } else {
            sparse.remove(id)
        }
    }

    @usableFromInline @inline(never)
    mutating func growDense(to n: Int) {
        var size = Swift.max(1024, dense.count * 2)
        while size < n { size *= 2 }
        dense.append(contentsOf: repeatElement(Self.absent, count: size - dense.count))
    }
}
