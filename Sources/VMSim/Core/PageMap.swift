/// An open-addressing hash map from 64-bit page numbers to small integer values (slots, indices),
/// built for the per-access hot path: one flat array of 16-byte entries, linear probing,
/// Fibonacci hashing, and backward-shift deletion (no tombstones).
///
///     var map = PageMap<Int32>(expectedCount: 1024)
///     map.insert(0x1234, 7)
///     map[0x1234]            // 7
///     map.remove(0x1234)
///
/// `Value.max` is reserved as the empty marker and cannot be stored.
/// The table grows (doubling) when it becomes more than half full, so `expectedCount` is a hint.
public struct PageMap<Value: FixedWidthInteger & Sendable>: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var key: UInt64
        @usableFromInline var value: Value
        @inlinable init(key: UInt64, value: Value) { self.key = key; self.value = value }
    }

    @usableFromInline var entries: ContiguousArray<Entry>
    @usableFromInline var mask: Int
    @usableFromInline var shift: UInt64
    @usableFromInline var storedCount: Int
    /// The number of keys in the map.
    @inlinable public var count: Int { storedCount }

    /// An empty map sized so that `expectedCount` keys fit without growing.
    /// - Complexity: O(expectedCount).
    public init(expectedCount: Int = 16) {
        var size = 16
        while size < expectedCount * 2 { size <<= 1 }
        entries = ContiguousArray(repeating: Entry(key: 0, value: .max), count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
        storedCount = 0
    }

    @inlinable
    func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The value stored for `key`, or `nil`.
    /// - Complexity: O(1) expected.
    @inlinable
    public subscript(key: UInt64) -> Value? {
        let v = find(key)
        return v == .max ? nil : v
    }

    /// The value stored for `key`, or `Value.max` when absent (the hot-path form of the subscript).
    /// - Complexity: O(1) expected.
    @inlinable
    public func find(_ key: UInt64) -> Value {
        var i = home(key)
        while true {
            let e = entries[i]
            if e.value == .max { return .max }
            if e.key == key { return e.value }
            i = (i &+ 1) & mask
        }
    }

    /// Stores `value` for `key`, which must not be in the map yet.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func insert(_ key: UInt64, _ value: Value) {
        precondition(value != .max, "Value.max is the empty marker")
        if (storedCount &+ 1) &* 2 > entries.count { grow() }
        var i = home(key)
        while entries[i].value != .max { i = (i &+ 1) & mask }
        entries[i] = Entry(key: key, value: value)
        storedCount &+= 1
    }

    /// Replaces the value of `key`, which must be in the map.
    /// - Complexity: O(1) expected.
    @inlinable
    public mutating func update(_ key: UInt64, _ value: Value) {
        precondition(value != .max, "Value.max is the empty marker")
        var i = home(key)
        while entries[i].key != key || entries[i].value == .max { i = (i &+ 1) & mask }
        entries[i].value = value
    }

    /// Removes `key` and returns its value, or `nil` when it was absent.
    /// - Complexity: O(1) expected.
    @inlinable
    @discardableResult
    public mutating func remove(_ key: UInt64) -> Value? {
        var i = home(key)
        while true {
            let e = entries[i]
            if e.value == .max { return nil }
            if e.key == key { break }
            i = (i &+ 1) & mask
        }
        let removed = entries[i].value
        // Backward-shift deletion: pull later entries of the probe run into the hole.
        var hole = i
        var j = (i &+ 1) & mask
        while entries[j].value != .max {
            let h = home(entries[j].key)
            // Move entry j into the hole if its home is not in the cyclic range (hole, j].
            let distHole = (hole &- h) & mask
            let distJ = (j &- h) & mask
            if distHole < distJ {
                entries[hole] = entries[j]
                hole = j
            }
            j = (j &+ 1) & mask
        }
        entries[hole].value = .max
        storedCount &-= 1
        return removed
    }

    /// Removes every key, keeping the table's size.
    /// - Complexity: O(capacity).
    public mutating func removeAll() {
        for i in entries.indices { entries[i].value = .max }
        storedCount = 0
    }

    @usableFromInline
    @inline(never)
    mutating func grow() {
        let old = entries
        let size = entries.count * 2
        entries = ContiguousArray(repeating: Entry(key: 0, value: .max), count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
        for e in old where e.value != .max {
            var i = home(e.key)
            while entries[i].value != .max { i = (i &+ 1) & mask }
            entries[i] = e
        }
    }
}
