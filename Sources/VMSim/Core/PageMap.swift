import CVMSimSupport

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
        entries = HugePages.array(repeating: Entry(key: 0, value: .max), count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
        storedCount = 0
    }

    @inlinable @inline(__always)
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
    @inlinable @inline(__always)
    public func find(_ key: UInt64) -> Value {
        let i = index(of: key)
        return i < 0 ? .max : entries[i].value
    }

    /// Starts loading the cache line where `key`'s probe begins, so that a lookup a few accesses
    /// later finds it in the cache.
    /// - Complexity: O(1); no effect on the map.
    @inlinable @inline(__always)
    public func prefetch(_ key: UInt64) {
        entries.withUnsafeBufferPointer { vmsim_prefetch($0.baseAddress! + home(key)) }
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
        let i = index(of: key)
        precondition(i >= 0, "update of a key that is not in the map")
        setValue(value, at: i)
    }

    /// Removes `key` and returns its value, or `nil` when it was absent.
    /// - Complexity: O(1) expected.
    @inlinable
    @discardableResult
    public mutating func remove(_ key: UInt64) -> Value? {
        let i = index(of: key)
        guard i >= 0 else { return nil }
        let removed = entries[i].value
        remove(at: i)
        return removed
    }

    /// The position of `key`'s entry, or -1 when absent; valid until the next insert or removal.
    /// - Complexity: O(1) expected.
    @inlinable @inline(__always)
    public func index(of key: UInt64) -> Int {
        var i = home(key)
        while true {
            let e = entries[i]
            if e.value == .max { return -1 }
            if e.key == key { return i }
            i = (i &+ 1) & mask
        }
    }

    /// The value of the entry at `index` (from `index(of:)`).
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public func value(at index: Int) -> Value { entries[index].value }

    /// Replaces the value of the entry at `index` (from `index(of:)`).
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public mutating func setValue(_ value: Value, at index: Int) {
        precondition(value != .max, "Value.max is the empty marker")
        entries[index].value = value
    }

    /// Removes the entry at `index` (from `index(of:)`).
    /// - Complexity: O(1) expected.
    @inlinable
    public mutating func remove(at index: Int) {
        // Backward-shift deletion: pull later entries of the probe run into the hole.
        var hole = index
        var j = (index &+ 1) & mask
        while entries[j].value != .max {
            let h = home(entries[j].key)
            // Move entry j into the hole unless its home lies in the cyclic range (hole, j].
            if (hole &- h) & mask < (j &- h) & mask {
                entries[hole] = entries[j]
                hole = j
            }
            j = (j &+ 1) & mask
        }
        entries[hole].value = .max
        storedCount &-= 1
    }

    /// Replaces every stored value `v` with `transform(v)` (which must not return `Value.max`).
    /// - Complexity: O(capacity).
    @inlinable
    public mutating func transformValues(_ transform: (Value) -> Value) {
        for i in entries.indices where entries[i].value != .max {
            entries[i].value = transform(entries[i].value)
        }
    }

    /// The keys, in table order.
    /// - Complexity: O(capacity).
    public var keys: [UInt64] { entries.compactMap { $0.value == .max ? nil : $0.key } }

    /// Stores `value` for `key`, replacing any value it had.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func set(_ key: UInt64, _ value: Value) {
        let i = index(of: key)
        if i >= 0 { setValue(value, at: i) } else { insert(key, value) }
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
        entries = HugePages.array(repeating: Entry(key: 0, value: .max), count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
        for e in old where e.value != .max {
            var i = home(e.key)
            while entries[i].value != .max { i = (i &+ 1) & mask }
            entries[i] = e
        }
    }
}
