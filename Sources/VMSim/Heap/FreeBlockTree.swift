/// The order a `FreeBlockTree` keeps its blocks in: two words compared lexicographically, so one
/// tree type serves every order (address; size then address; class then address; insertion order).
public struct TreeKey: Hashable, Comparable, Sendable {
    /// The word compared first.
    public var hi: UInt64
    /// The word compared on ties.
    public var lo: UInt64
    /// The key (`hi`, `lo`).
    @inlinable public init(_ hi: UInt64, _ lo: UInt64 = 0) { self.hi = hi; self.lo = lo }
    /// Orders keys by `hi`, then `lo`.
    /// - Complexity: O(1).
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }
    /// Below every key.
    public static let min = TreeKey(0, 0)
    /// Above every key.
    public static let max = TreeKey(.max, .max)
}

/// The part of a `FreeBlockTree` node a search reads: key and links, 32 bytes, so that a search
/// touches one cache line per level. Node 0 is the empty sentinel.
@usableFromInline
struct TreeNode: Sendable {
    @usableFromInline var key = TreeKey.min
    @usableFromInline var left: Int32 = 0
    @usableFromInline var right: Int32 = 0
    @usableFromInline var parent: Int32 = 0
    /// The heap block this node stands for (-1 for the sentinel).
    @usableFromInline var block: Int32 = -1
    @usableFromInline init() {}
}

/// The rest of a node: the block's size and the subtree's augmentation.
@usableFromInline
struct TreeAug: Sendable {
    @usableFromInline var size: UInt64 = 0
    /// The largest size in this subtree (augmented trees).
    @usableFromInline var maxSize: UInt64 = 0
    /// Nodes in this subtree (augmented trees).
    @usableFromInline var count: Int32 = 0
    @usableFromInline init() {}
}

/// An ordered set of free blocks: a treap over `ContiguousArray`s (no class nodes), augmented with
/// subtree counts (ranks: how far along a linked list in this order a block sits) and subtree
/// maximum sizes (first fit from any point in O(log n)).
///
///     var tree = FreeBlockTree()
///     tree.insert(3, key: TreeKey(0x1000), size: 64)     // block 3 at 0x1000, 64 bytes
///     tree.firstFit(minSize: 32)                         // 3
///     tree.countLess(TreeKey(0x1000))                    // 0: the first in address order
///
/// Nodes are packed (only blocks in the tree have one) and split in two arrays, the 32 bytes a
/// search reads and the rest, so a tree of thousands of free blocks stays in the cache while most
/// of the heap's blocks are allocated. A node's priority is a hash of its slot, so the shape (and
/// so the cost, never the answers) is the same on every run. Nodes link to their parents, so
/// removing or updating a known block needs no search. A tree made with `augmented: false` keeps no
/// counts or maximum sizes (cheaper when only `lowerBound`, `first` and `lastBelow` are used).
public struct FreeBlockTree: Sendable {
    @usableFromInline var nodes: ContiguousArray<TreeNode>
    @usableFromInline var aug: ContiguousArray<TreeAug>
    /// Node of each block, 0 when the block is not in the tree.
    @usableFromInline var nodeOf: ContiguousArray<Int32> = []
    @usableFromInline var spareNodes: ContiguousArray<Int32> = []
    @usableFromInline var root: Int32 = 0
    @usableFromInline let salt: UInt64
    @usableFromInline var storedCount = 0
    /// Whether subtree counts and maximum sizes are kept (for `firstFit`, `countLess`, `largest`).
    public let augmented: Bool

    /// An empty tree; `seed` varies the priorities.
    /// - Complexity: O(1).
    public init(seed: UInt64 = 0, augmented: Bool = true) {
        nodes = [TreeNode()]
        aug = [TreeAug()]
        salt = seed &* 0x2545_F491_4F6C_DD1D
        self.augmented = augmented
    }

    /// The number of blocks in the tree.
    /// - Complexity: O(1).
    @inlinable public var count: Int { storedCount }

    /// The largest block size in an augmented tree, 0 when empty.
    /// - Complexity: O(1).
    @inlinable public var largest: UInt64 { aug[Int(root)].maxSize }

    /// Whether block `b` is in the tree.
    /// - Complexity: O(1).
    @inlinable public func contains(_ b: Int32) -> Bool {
        Int(b) < nodeOf.count && nodeOf[Int(b)] != 0
    }

    /// The key block `b` was inserted with (it must be in the tree).
    /// - Complexity: O(1).
    @inlinable public func key(of b: Int32) -> TreeKey { nodes[Int(nodeOf[Int(b)])].key }

    /// The size block `b` was inserted with (it must be in the tree).
    /// - Complexity: O(1).
    @inlinable public func size(of b: Int32) -> UInt64 { aug[Int(nodeOf[Int(b)])].size }

    /// Makes room for blocks numbered below `blockCount`.
    /// - Complexity: O(1) amortized per block.
    @inlinable public mutating func reserve(_ blockCount: Int) {
        if nodeOf.count < blockCount { grow(blockCount) }
    }

    @usableFromInline @inline(never)
    mutating func grow(_ n: Int) {
        var target = Swift.max(16, nodeOf.count * 2)
        while target < n { target *= 2 }
        nodeOf.append(contentsOf: repeatElement(0, count: target - nodeOf.count))
    }

    /// The treap priority of node slot `t`.
    @inlinable @inline(__always)
    static func priority(_ t: Int32, _ salt: UInt64) -> UInt64 {
        var z = UInt64(UInt32(bitPattern: t)) &+ salt
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A node for block `b`.
    @inlinable
    mutating func takeNode(_ b: Int32) -> Int32 {
        precondition(nodeOf[Int(b)] == 0, "block is already in the tree")
        let x: Int32
        if let spare = spareNodes.popLast() {
            x = spare
        } else {
            x = Int32(nodes.count)
            nodes.append(TreeNode())
            aug.append(TreeAug())
        }
        nodeOf[Int(b)] = x
        return x
    }

    /// Runs `body` with the base addresses of both node arrays.
    @inlinable @inline(__always)
    mutating func withNodes<R>(_ body: (UnsafeMutablePointer<TreeNode>, UnsafeMutablePointer<TreeAug>) -> R) -> R {
        nodes.withUnsafeMutableBufferPointer { n in aug.withUnsafeMutableBufferPointer { a in body(n.baseAddress!, a.baseAddress!) } }
    }

    /// Runs `body` with the base addresses of both node arrays, read-only.
    @inlinable @inline(__always)
    func readNodes<R>(_ body: (UnsafePointer<TreeNode>, UnsafePointer<TreeAug>) -> R) -> R {
        nodes.withUnsafeBufferPointer { n in aug.withUnsafeBufferPointer { a in body(n.baseAddress!, a.baseAddress!) } }
    }

    /// Adds block `b` (not yet in the tree) under `key`, which no other block in the tree has.
    /// - Complexity: O(log n) expected.
    @inlinable
    public mutating func insert(_ b: Int32, key: TreeKey, size: UInt64) {
        reserve(Int(b) + 1)
        let x = takeNode(b)
        let augmented = self.augmented, salt = self.salt
        var newRoot = root
        withNodes { p, a in
            let priority = Self.priority(x, salt)
            p[Int(x)].block = b
            p[Int(x)].key = key
            a[Int(x)].size = size
            // Walk down while the nodes outrank x; x joins each of their subtrees.
            var t = newRoot, parent: Int32 = 0, wentLeft = false
            while t != 0 && Self.priority(t, salt) >= priority {
                if augmented {
                    a[Int(t)].count &+= 1
                    if size > a[Int(t)].maxSize { a[Int(t)].maxSize = size }
                }
                parent = t
                wentLeft = key < p[Int(t)].key
                t = wentLeft ? p[Int(t)].left : p[Int(t)].right
            }
            let (l, r) = Self.split(p, a, t, key, augmented)
            p[Int(x)].left = l
            p[Int(x)].right = r
            p[Int(l)].parent = x
            p[Int(r)].parent = x
            p[Int(x)].parent = parent
            a[Int(x)].count = 1
            a[Int(x)].maxSize = size
            if augmented { Self.pull(p, a, x) }
            if parent == 0 { newRoot = x } else if wentLeft { p[Int(parent)].left = x } else { p[Int(parent)].right = x }
        }
        root = newRoot
        storedCount &+= 1
    }

    /// Removes block `b`, which must be in the tree.
    /// - Complexity: O(log n) expected.
    @inlinable
    public mutating func remove(_ b: Int32) {
        precondition(contains(b), "block is not in the tree")
        let x = nodeOf[Int(b)]
        nodeOf[Int(b)] = 0
        spareNodes.append(x)
        var newRoot = root
        let augmented = self.augmented, salt = self.salt
        withNodes { p, a in
            let m = Self.merge(p, a, p[Int(x)].left, p[Int(x)].right, augmented, salt)
            let parent = p[Int(x)].parent
            p[Int(m)].parent = parent
            if parent == 0 {
                newRoot = m
            } else {
                if p[Int(parent)].left == x { p[Int(parent)].left = m } else { p[Int(parent)].right = m }
                if augmented {
                    var t = parent
                    while t != 0 {
                        a[Int(t)].count &-= 1
                        let l = Int(p[Int(t)].left), r = Int(p[Int(t)].right)
                        a[Int(t)].maxSize = Swift.max(a[Int(t)].size, Swift.max(a[l].maxSize, a[r].maxSize))
                        t = p[Int(t)].parent
                    }
                }
            }
            p[Int(x)] = TreeNode()
            a[Int(x)] = TreeAug()
        }
        root = newRoot
        storedCount &-= 1
    }

    /// Gives block `b` a new key and size in place. The new key must sort between the keys of
    /// b's neighbours in the tree (an address-ordered free block that grows or shrinks in place).
    /// - Complexity: O(log n) expected.
    @inlinable
    public mutating func update(_ b: Int32, key: TreeKey, size: UInt64) {
        precondition(contains(b), "block is not in the tree")
        let x = nodeOf[Int(b)]
        let augmented = self.augmented
        withNodes { p, a in
            p[Int(x)].key = key
            a[Int(x)].size = size
            guard augmented else { return }
            // Fix the maximum sizes upwards, stopping where one does not change.
            var t = x
            while t != 0 {
                let l = Int(p[Int(t)].left), r = Int(p[Int(t)].right)
                let m = Swift.max(a[Int(t)].size, Swift.max(a[l].maxSize, a[r].maxSize))
                if m == a[Int(t)].maxSize && t != x { return }
                a[Int(t)].maxSize = m
                t = p[Int(t)].parent
            }
        }
    }

    /// The first block (in key order) whose size is at least `minSize`, or -1 (augmented trees).
    /// - Complexity: O(log n) expected.
    @inlinable
    public func firstFit(minSize: UInt64) -> Int32 {
        readNodes { p, a in p[Int(Self.leftmostFit(p, a, root, Swift.max(minSize, 1)))].block }
    }

    /// The first block with key at least `from` whose size is at least `minSize`, or -1
    /// (augmented trees).
    /// - Complexity: O(log n) expected.
    @inlinable
    public func firstFit(from: TreeKey, minSize: UInt64) -> Int32 {
        readNodes { p, a in p[Int(Self.firstFit(p, a, root, from, Swift.max(minSize, 1)))].block }
    }

    /// The first block whose key is at least `key`, or -1.
    /// - Complexity: O(log n) expected.
    @inlinable
    public func lowerBound(_ key: TreeKey) -> Int32 {
        nodes.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            var t = root, best: Int32 = 0
            while t != 0 {
                let below = p[Int(t)].key < key
                if !below { best = t }
                t = below ? p[Int(t)].right : p[Int(t)].left
            }
            return p[Int(best)].block
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
                let below = p[Int(t)].key < key
                if below { best = t }
                t = below ? p[Int(t)].right : p[Int(t)].left
            }
            return p[Int(best)].block
        }
    }

    /// The first block in key order, or -1 when empty.
    /// - Complexity: O(log n) expected.
    @inlinable
    public func first() -> Int32 { lowerBound(.min) }

    /// How many blocks have a key below `key`: the 0-based position `key` would have in a list
    /// kept in this order (augmented trees).
    /// - Complexity: O(log n) expected.
    @inlinable
    public func countLess(_ key: TreeKey) -> Int {
        readNodes { p, a in
            var t = root, c: Int32 = 0
            while t != 0 {
                if p[Int(t)].key < key {
                    c &+= a[Int(p[Int(t)].left)].count &+ 1
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
            body(nodes[Int(t)].block, nodes[Int(t)].key, aug[Int(t)].size)
            t = nodes[Int(t)].right
        }
    }

    /// Checks the treap's own invariants: keys in order, priorities heap-ordered, parent links,
    /// counts and maximum sizes equal to their subtrees'. Returns what is wrong, or nil.
    /// - Complexity: O(n).
    public func validate() -> String? {
        var problem: String?
        func walk(_ t: Int32, _ low: TreeKey?, _ high: TreeKey?) -> (count: Int32, max: UInt64) {
            if t == 0 || problem != nil { return (0, 0) }
            let n = nodes[Int(t)], x = aug[Int(t)]
            if let low, !(low < n.key) { problem = "tree keys out of order at block \(n.block)" }
            if let high, !(n.key < high) { problem = "tree keys out of order at block \(n.block)" }
            if nodeOf[Int(n.block)] != t { problem = problem ?? "tree node of block \(n.block) is not its own" }
            for c in [n.left, n.right] where c != 0 {
                if Self.priority(c, salt) > Self.priority(t, salt) { problem = problem ?? "tree priorities out of heap order at block \(n.block)" }
                if nodes[Int(c)].parent != t { problem = problem ?? "tree parent link wrong at block \(nodes[Int(c)].block)" }
            }
            let l = walk(n.left, low, n.key), r = walk(n.right, n.key, high)
            let count = l.count + r.count + 1, largest = Swift.max(x.size, l.max, r.max)
            if augmented && count != x.count { problem = problem ?? "tree count wrong at block \(n.block)" }
            if augmented && largest != x.maxSize { problem = problem ?? "tree max size wrong at block \(n.block)" }
            return (count, largest)
        }
        let total = walk(root, nil, nil).count
        if problem == nil && Int(total) != storedCount { problem = "tree holds \(total) blocks, its count says \(storedCount)" }
        return problem
    }

    // MARK: Recursive treap operations over the node storage.

    @inlinable @inline(__always)
    static func pull(_ p: UnsafeMutablePointer<TreeNode>, _ a: UnsafeMutablePointer<TreeAug>, _ t: Int32) {
        let l = Int(p[Int(t)].left), r = Int(p[Int(t)].right)
        a[Int(t)].count = a[l].count &+ a[r].count &+ 1
        a[Int(t)].maxSize = Swift.max(a[Int(t)].size, Swift.max(a[l].maxSize, a[r].maxSize))
    }

    /// Splits `t` into keys below `key` and keys at or above it.
    @usableFromInline
    static func split(_ p: UnsafeMutablePointer<TreeNode>, _ a: UnsafeMutablePointer<TreeAug>, _ t: Int32, _ key: TreeKey,
                      _ augmented: Bool) -> (Int32, Int32) {
        if t == 0 { return (0, 0) }
        if p[Int(t)].key < key {
            let (l, r) = split(p, a, p[Int(t)].right, key, augmented)
            p[Int(t)].right = l
            p[Int(l)].parent = t
            if augmented { pull(p, a, t) }
            return (t, r)
        } else {
            let (l, r) = split(p, a, p[Int(t)].left, key, augmented)
            p[Int(t)].left = r
            p[Int(r)].parent = t
            if augmented { pull(p, a, t) }
            return (l, t)
        }
    }

    @usableFromInline
    static func merge(_ p: UnsafeMutablePointer<TreeNode>, _ a: UnsafeMutablePointer<TreeAug>, _ x: Int32, _ y: Int32,
                      _ augmented: Bool, _ salt: UInt64) -> Int32 {
        if x == 0 { return y }
        if y == 0 { return x }
        if priority(x, salt) > priority(y, salt) {
            let m = merge(p, a, p[Int(x)].right, y, augmented, salt)
            p[Int(x)].right = m
            p[Int(m)].parent = x
            if augmented { pull(p, a, x) }
            return x
        } else {
            let m = merge(p, a, x, p[Int(y)].left, augmented, salt)
            p[Int(y)].left = m
            p[Int(m)].parent = y
            if augmented { pull(p, a, y) }
            return y
        }
    }

    /// The leftmost node of `t` with size at least `s` (s >= 1, so the sentinel never fits).
    @inlinable
    static func leftmostFit(_ p: UnsafePointer<TreeNode>, _ a: UnsafePointer<TreeAug>, _ t: Int32, _ s: UInt64) -> Int32 {
        var t = t
        if a[Int(t)].maxSize < s { return 0 }
        while true {
            let l = p[Int(t)].left
            if a[Int(l)].maxSize >= s { t = l } else if a[Int(t)].size >= s { return t } else { t = p[Int(t)].right }
        }
    }

    /// The first node of `t` with key at least `from` and size at least `s`. Each level either
    /// goes right, or tries the left side, then the node, then a plain leftmost fit on the right,
    /// which succeeds or fails at once; so the cost is one root-to-leaf path, twice.
    @usableFromInline
    static func firstFit(_ p: UnsafePointer<TreeNode>, _ a: UnsafePointer<TreeAug>, _ t: Int32, _ from: TreeKey, _ s: UInt64) -> Int32 {
        var t = t
        while true {
            if a[Int(t)].maxSize < s { return 0 }
            if p[Int(t)].key < from { t = p[Int(t)].right; continue }
            let l = firstFit(p, a, p[Int(t)].left, from, s)
            if l != 0 { return l }
            if a[Int(t)].size >= s { return t }
            return leftmostFit(p, a, p[Int(t)].right, s)
        }
    }
}
