/// The order a `FreeBlockTree` keeps its blocks in: two words compared lexicographically, so one
/// tree type serves every order (address; size then address; class then address; insertion order).
public struct TreeKey: Hashable, Comparable, Sendable {
    public var hi: UInt64
    public var lo: UInt64
    @inlinable public init(_ hi: UInt64, _ lo: UInt64 = 0) { self.hi = hi; self.lo = lo }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }
    /// Below every key.
    public static let min = TreeKey(0, 0)
    /// Above every key.
    public static let max = TreeKey(.max, .max)
}

/// One node of a `FreeBlockTree`; node `b + 1` belongs to block `b`, node 0 is the empty sentinel.
@usableFromInline
struct TreeNode: Sendable {
    @usableFromInline var left: Int32 = 0
    @usableFromInline var right: Int32 = 0
    @usableFromInline var parent: Int32 = 0
    @usableFromInline var priority: UInt32 = 0
    /// Nodes in this subtree; 0 marks a block that is not in the tree.
    @usableFromInline var count: Int32 = 0
    @usableFromInline var key = TreeKey.min
    /// The block's size.
    @usableFromInline var size: UInt64 = 0
    /// The largest size in this subtree.
    @usableFromInline var maxSize: UInt64 = 0
    @usableFromInline init() {}
}

/// An ordered set of free blocks: a treap over a `ContiguousArray` (no class nodes), indexed by the
/// heap's block numbers, augmented with subtree counts (ranks: how far along a linked list in this
/// order a block sits) and subtree maximum sizes (first fit from any point in O(log n)).
///
///     var tree = FreeBlockTree()
///     tree.insert(3, key: TreeKey(0x1000), size: 64)     // block 3 at 0x1000, 64 bytes
///     tree.firstFit(minSize: 32)                         // 3
///     tree.countLess(TreeKey(0x1000))                    // 0: the first in address order
///
/// Priorities come from a fixed hash sequence, so the shape (and so the cost, never the answers)
/// is the same on every run. Nodes link to their parents, so removing or updating a known block
/// needs no search by key. A tree made with `augmented: false` keeps no counts or maximum sizes
/// (cheaper when only `lowerBound`, `first` and `lastBelow` are used).
public struct FreeBlockTree: Sendable {
    @usableFromInline var nodes: ContiguousArray<TreeNode>
    @usableFromInline var root: Int32 = 0
    @usableFromInline var priorityState: UInt64
    @usableFromInline var storedCount = 0
    /// Whether subtree counts and maximum sizes are kept (for `firstFit`, `countLess`, `largest`).
    public let augmented: Bool

    /// An empty tree; `seed` varies the priority sequence.
    public init(seed: UInt64 = 0, augmented: Bool = true) {
        nodes = [TreeNode()]
        priorityState = seed &+ 0x2545_F491_4F6C_DD1D
        self.augmented = augmented
    }

    /// The number of blocks in the tree.
    /// - Complexity: O(1).
    @inlinable public var count: Int { storedCount }

    /// The largest block size in the tree, 0 when empty.
    /// - Complexity: O(1).
    @inlinable public var largest: UInt64 { nodes[Int(root)].maxSize }

    /// Whether block `b` is in the tree.
    /// - Complexity: O(1).
    @inlinable public func contains(_ b: Int32) -> Bool {
        Int(b) + 1 < nodes.count && nodes[Int(b) + 1].count > 0
    }

    /// The key block `b` was inserted with (it must be in the tree).
    /// - Complexity: O(1).
    @inlinable public func key(of b: Int32) -> TreeKey { nodes[Int(b) + 1].key }

    /// The size block `b` was inserted with (it must be in the tree).
    /// - Complexity: O(1).
    @inlinable public func size(of b: Int32) -> UInt64 { nodes[Int(b) + 1].size }

    /// Makes room for blocks numbered below `blockCount`.
    /// - Complexity: O(1) amortized per block.
    @inlinable public mutating func reserve(_ blockCount: Int) {
        if nodes.count < blockCount + 1 { grow(blockCount + 1) }
    }

    @usableFromInline @inline(never)
    mutating func grow(_ n: Int) {
        var target = Swift.max(16, nodes.count * 2)
        while target < n { target *= 2 }
        nodes.reserveCapacity(target)
        while nodes.count < target { nodes.append(TreeNode()) }
    }

    /// Adds block `b` (not yet in the tree) under `key`, which no other block in the tree has.
    /// - Complexity: O(log n) expected.
    @inlinable
    public mutating func insert(_ b: Int32, key: TreeKey, size: UInt64) {
        reserve(Int(b) + 1)
        let x = b + 1
        priorityState &+= 0x9E37_79B9_7F4A_7C15
        var z = priorityState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        let priority = UInt32(truncatingIfNeeded: z ^ (z >> 31))
        var newRoot = root
        let augmented = self.augmented
        nodes.withUnsafeMutableBufferPointer { buffer in
            let p = buffer.baseAddress!
            precondition(p[Int(x)].count == 0, "block is already in the tree")
            p[Int(x)].priority = priority
            p[Int(x)].key = key
            p[Int(x)].size = size
            // Walk down while the nodes outrank x; x joins each of their subtrees.
            var t = newRoot, parent: Int32 = 0, wentLeft = false
            while t != 0 && p[Int(t)].priority >= priority {
                if augmented {
                    p[Int(t)].count &+= 1
                    if size > p[Int(t)].maxSize { p[Int(t)].maxSize = size }
                }
                parent = t
                wentLeft = key < p[Int(t)].key
                t = wentLeft ? p[Int(t)].left : p[Int(t)].right
            }
            let (l, r) = Self.split(p, t, key, augmented)
            p[Int(x)].left = l
            p[Int(x)].right = r
            p[Int(l)].parent = x
            p[Int(r)].parent = x
            p[Int(x)].parent = parent
            p[Int(x)].count = 1
            p[Int(x)].maxSize = size
            if augmented { Self.pull(p, x) }
            if parent == 0 { newRoot = x } else if wentLeft { p[Int(parent)].left = x } else { p[Int(parent)].right = x }
        }
        root = newRoot
        storedCount &+= 1
    }

    /// Removes block `b`, which must be in the tree.
    /// - Complexity: O(log n) expected.
    @inlinable
    public mutating func remove(_ b: Int32) {
        let x = b + 1
        precondition(Int(x) < nodes.count && nodes[Int(x)].count > 0, "block is not in the tree")
        var newRoot = root
        let augmented = self.augmented
        nodes.withUnsafeMutableBufferPointer { buffer in
            let p = buffer.baseAddress!
            let m = Self.merge(p, p[Int(x)].left, p[Int(x)].right, augmented)
            let parent = p[Int(x)].parent
            p[Int(m)].parent = parent
            if parent == 0 {
                newRoot = m
            } else {
                if p[Int(parent)].left == x { p[Int(parent)].left = m } else { p[Int(parent)].right = m }
                if augmented {
                    var t = parent
                    while t != 0 {
                        p[Int(t)].count &-= 1
                        let l = Int(p[Int(t)].left), r = Int(p[Int(t)].right)
                        p[Int(t)].maxSize = Swift.max(p[Int(t)].size, Swift.max(p[l].maxSize, p[r].maxSize))
                        t = p[Int(t)].parent
                    }
                }
            }
            p[Int(x)].count = 0
            p[Int(x)].left = 0
            p[Int(x)].right = 0
            p[Int(x)].parent = 0
        }
        root = newRoot
        storedCount &-= 1
    }

    /// Gives block `b` a new key and size in place. The new key must sort between the keys of
    /// b's neighbours in the tree (an address-ordered free block that grows or shrinks in place).
    /// - Complexity: O(log n) expected.
    @inlinable
    public mutating func update(_ b: Int32, key: TreeKey, size: UInt64) {
        let x = b + 1
        precondition(Int(x) < nodes.count && nodes[Int(x)].count > 0, "block is not in the tree")
        let augmented = self.augmented
        nodes.withUnsafeMutableBufferPointer { buffer in
            let p = buffer.baseAddress!
            p[Int(x)].key = key
            p[Int(x)].size = size
            guard augmented else { return }
            // Fix the maximum sizes upwards, stopping where one does not change.
            var t = x
            while t != 0 {
                let l = Int(p[Int(t)].left), r = Int(p[Int(t)].right)
                let m = Swift.max(p[Int(t)].size, Swift.max(p[l].maxSize, p[r].maxSize))
                if m == p[Int(t)].maxSize && t != x { return }
                p[Int(t)].maxSize = m
                t = p[Int(t)].parent
            }
        }
    }

    /// The first block (in key order) whose size is at least `minSize`, or -1.
    /// - Complexity: O(log n) expected.
    @inlinable
    public func firstFit(minSize: UInt64) -> Int32 {
        nodes.withUnsafeBufferPointer { buffer in
            Self.leftmostFit(buffer.baseAddress!, root, Swift.max(minSize, 1)) - 1
        }
    }

    /// The first block with key at least `from` whose size is at least `minSize`, or -1.
    /// - Complexity: O(log n) expected.
    @inlinable
    public func firstFit(from: TreeKey, minSize: UInt64) -> Int32 {
        nodes.withUnsafeBufferPointer { buffer in
            Self.firstFit(buffer.baseAddress!, root, from, Swift.max(minSize, 1)) - 1
        }
    }

    /// The first block whose key is at least `key`, or -1.
    /// - Complexity: O(log n) expected.
    @inlinable
    public func lowerBound(_ key: TreeKey) -> Int32 {
        nodes.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            var t = root, best: Int32 = 0
            while t != 0 {
                if p[Int(t)].key < key { t = p[Int(t)].right } else { best = t; t = p[Int(t)].left }
            }
            return best - 1
        }
    }

    /// The last block whose key is below `key`, or -1.
    /// - Complexity: O(log n) expected.
    @inlinable
    public func lastBelow(_ key: TreeKey) -> Int32 {
        nodes.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            var t = root, best: Int32 = 0
            while t != 0 {
                if p[Int(t)].key < key { best = t; t = p[Int(t)].right } else { t = p[Int(t)].left }
            }
            return best - 1
        }
    }

    /// The first block in key order, or -1 when empty.
    /// - Complexity: O(log n) expected.
    @inlinable
    public func first() -> Int32 { lowerBound(.min) }

    /// How many blocks have a key below `key`: the 0-based position `key` would have in a list
    /// kept in this order.
    /// - Complexity: O(log n) expected.
    @inlinable
    public func countLess(_ key: TreeKey) -> Int {
        nodes.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            var t = root, c: Int32 = 0
            while t != 0 {
                if p[Int(t)].key < key {
                    c &+= p[Int(p[Int(t)].left)].count &+ 1
                    t = p[Int(t)].right
                } else {
                    t = p[Int(t)].left
                }
            }
            return Int(c)
        }
    }

    /// Calls `body` with every block in key order.
    /// - Complexity: O(n).
    public func forEach(_ body: (_ block: Int32, _ key: TreeKey, _ size: UInt64) -> Void) {
        var stack: [Int32] = []
        var t = root
        while t != 0 || !stack.isEmpty {
            while t != 0 { stack.append(t); t = nodes[Int(t)].left }
            t = stack.removeLast()
            body(t - 1, nodes[Int(t)].key, nodes[Int(t)].size)
            t = nodes[Int(t)].right
        }
    }

    /// Checks the treap's own invariants: keys in order, priorities heap-ordered, counts and
    /// maximum sizes equal to their subtrees'. Returns what is wrong, or nil.
    /// - Complexity: O(n).
    public func validate() -> String? {
        var problem: String?
        func walk(_ t: Int32, _ low: TreeKey?, _ high: TreeKey?) -> (count: Int32, max: UInt64) {
            if t == 0 || problem != nil { return (0, 0) }
            let n = nodes[Int(t)]
            if let low, !(low < n.key) { problem = "tree keys out of order at block \(t - 1)" }
            if let high, !(n.key < high) { problem = "tree keys out of order at block \(t - 1)" }
            for c in [n.left, n.right] where c != 0 && nodes[Int(c)].priority > n.priority {
                problem = "tree priorities out of heap order at block \(t - 1)"
            }
            let l = walk(n.left, low, n.key), r = walk(n.right, n.key, high)
            let count = l.count + r.count + 1, largest = Swift.max(n.size, l.max, r.max)
            for c in [n.left, n.right] where c != 0 && nodes[Int(c)].parent != t {
                problem = problem ?? "tree parent link wrong at block \(c - 1)"
            }
            if augmented && count != n.count { problem = problem ?? "tree count wrong at block \(t - 1)" }
            if augmented && largest != n.maxSize { problem = problem ?? "tree max size wrong at block \(t - 1)" }
            return (count, largest)
        }
        let total = walk(root, nil, nil).count
        if problem == nil && Int(total) != storedCount { problem = "tree holds \(total) blocks, its count says \(storedCount)" }
        return problem
    }

    // MARK: Recursive treap operations over the node storage.

    @inlinable @inline(__always)
    static func pull(_ p: UnsafeMutablePointer<TreeNode>, _ t: Int32) {
        let l = Int(p[Int(t)].left), r = Int(p[Int(t)].right)
        p[Int(t)].count = p[l].count &+ p[r].count &+ 1
        p[Int(t)].maxSize = Swift.max(p[Int(t)].size, Swift.max(p[l].maxSize, p[r].maxSize))
    }

    /// Splits `t` into keys below `key` and keys at or above it.
    @usableFromInline
    static func split(_ p: UnsafeMutablePointer<TreeNode>, _ t: Int32, _ key: TreeKey, _ augmented: Bool) -> (Int32, Int32) {
        if t == 0 { return (0, 0) }
        if p[Int(t)].key < key {
            let (l, r) = split(p, p[Int(t)].right, key, augmented)
            p[Int(t)].right = l
            p[Int(l)].parent = t
            if augmented { pull(p, t) }
            return (t, r)
        } else {
            let (l, r) = split(p, p[Int(t)].left, key, augmented)
            p[Int(t)].left = r
            p[Int(r)].parent = t
            if augmented { pull(p, t) }
            return (l, t)
        }
    }

    @usableFromInline
    static func merge(_ p: UnsafeMutablePointer<TreeNode>, _ a: Int32, _ b: Int32, _ augmented: Bool) -> Int32 {
        if a == 0 { return b }
        if b == 0 { return a }
        if p[Int(a)].priority > p[Int(b)].priority {
            let m = merge(p, p[Int(a)].right, b, augmented)
            p[Int(a)].right = m
            p[Int(m)].parent = a
            if augmented { pull(p, a) }
            return a
        } else {
            let m = merge(p, a, p[Int(b)].left, augmented)
            p[Int(b)].left = m
            p[Int(m)].parent = b
            if augmented { pull(p, b) }
            return b
        }
    }

    /// The leftmost node of `t` with size at least `s` (s >= 1, so the sentinel never fits).
    @inlinable
    static func leftmostFit(_ p: UnsafePointer<TreeNode>, _ t: Int32, _ s: UInt64) -> Int32 {
        var t = t
        if p[Int(t)].maxSize < s { return 0 }
        while true {
            let l = p[Int(t)].left
            if p[Int(l)].maxSize >= s { t = l } else if p[Int(t)].size >= s { return t } else { t = p[Int(t)].right }
        }
    }

    /// The first node of `t` with key at least `from` and size at least `s`. Each level either
    /// goes right, or tries the left side, then the node, then a plain leftmost fit on the right,
    /// which succeeds or fails at once; so the cost is one root-to-leaf path, twice.
    @usableFromInline
    static func firstFit(_ p: UnsafePointer<TreeNode>, _ t: Int32, _ from: TreeKey, _ s: UInt64) -> Int32 {
        var t = t
        while true {
            if p[Int(t)].maxSize < s { return 0 }
            if p[Int(t)].key < from { t = p[Int(t)].right; continue }
            let l = firstFit(p, p[Int(t)].left, from, s)
            if l != 0 { return l }
            if p[Int(t)].size >= s { return t }
            return leftmostFit(p, p[Int(t)].right, s)
        }
    }
}
