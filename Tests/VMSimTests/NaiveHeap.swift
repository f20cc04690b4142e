@testable import VMSim

/// The reference heap model written the obvious way: a sorted array of blocks, linear scans, and
/// the free list as an explicit array walked element by element. Slow, and independent of the
/// trees, so the fast allocator is checked against it (docs/heap.md states the rules).
struct NaiveHeap {
    struct Block: Equatable { var address: UInt64; var size: UInt64; var free: Bool; var seq: UInt64 }

    let policy: HeapPolicy
    let model: HeapModel
    var blocks: [Block] = []
    var rover: UInt64
    var listRover = TreeKey.min
    var seq: UInt64 = 1
    var searches: [Int] = []
    var top: UInt64

    init(policy: HeapPolicy, model: HeapModel) {
        self.policy = policy
        self.model = model
        rover = model.base
        top = model.base
        if model.initialHeap > 0 {
            blocks = [Block(address: model.base, size: model.initialHeap, free: true, seq: 0)]
            top += model.initialHeap
            seq = 1
            blocks[0].seq = takeSeq()
        }
    }

    mutating func takeSeq() -> UInt64 { defer { seq += 1 }; return seq }

    var heapSize: UInt64 { top - model.base }
    var freeList: [(address: UInt64, size: UInt64)] { blocks.filter(\.free).map { ($0.address, $0.size) } }

    func index(of address: UInt64) -> Int { blocks.firstIndex { $0.address == address }! }

    func orderKey(_ b: Block) -> TreeKey {
        switch model.order {
        case .address: TreeKey(b.address)
        case .sizeAscending: TreeKey(b.size, b.address)
        case .sizeDescending: TreeKey(~b.size, b.address)
        case .lifo: TreeKey(~b.seq)
        case .fifo: TreeKey(b.seq)
        }
    }

    /// The free list as a plain linked list would hold it.
    func list() -> [Block] { blocks.filter(\.free).sorted { orderKey($0) < orderKey($1) } }

    /// Chooses a block and counts the walk; returns the chosen block's address.
    mutating func search(_ size: UInt64) -> UInt64? {
        let free = blocks.filter(\.free)
        var chosen: Block?
        switch policy {
        case .first: chosen = free.first { $0.size >= size }
        case .next: chosen = free.first { $0.size >= size && $0.address >= rover } ?? free.first { $0.size >= size }
        case .best: chosen = free.filter { $0.size >= size }.min { ($0.size, $0.address) < ($1.size, $1.address) }
        case .worst:
            let largest = free.map(\.size).max() ?? 0
            chosen = largest >= size ? free.first { $0.size == largest } : nil
        case .segregated:
            let c = FreeListAllocator.sizeClass(size)
            chosen = free.filter { FreeListAllocator.sizeClass($0.size) >= c && $0.size >= size }
                .min { (FreeListAllocator.sizeClass($0.size), $0.address) < (FreeListAllocator.sizeClass($1.size), $1.address) }
        default: fatalError("no naive model for \(policy)")
        }
        // The walk.
        let l = list()
        switch policy {
        case .first:
            searches.append((l.firstIndex { $0.size >= size }).map { $0 + 1 } ?? l.count)
        case .next:
            let start = model.order == .address ? l.firstIndex { $0.address >= rover } ?? l.count
                                                : l.firstIndex { !(orderKey($0) < listRover) } ?? l.count
            var n = 0, found = false
            for k in 0..<l.count {
                let e = l[(start + k) % l.count]
                n += 1
                if e.size >= size {
                    found = true
                    if model.order != .address { listRover = orderKey(e) }
                    break
                }
            }
            searches.append(found ? n : l.count)
        case .best, .worst:
            searches.append(l.count)
        case .segregated:
            let c = FreeListAllocator.sizeClass(size)
            let own = l.filter { FreeListAllocator.sizeClass($0.size) == c }.sorted { $0.address < $1.address }
            if let i = own.firstIndex(where: { $0.size >= size }) { searches.append(i + 1) } else { searches.append(own.count + (chosen == nil ? 0 : 1)) }
        default: break
        }
        return chosen?.address
    }

    mutating func allocate(_ n: UInt64) -> UInt64? {
        let size = model.blockSize(forRequest: n)!
        var address = search(size)
        if address == nil && model.coalescing == .deferred && hasAdjacentFree() {
            coalesceAll()
            address = search(size)
        }
        if let a = address {
            let i = index(of: a)
            let total = blocks[i].size
            blocks[i].size = size
            blocks[i].free = false
            if total > size {
                blocks.insert(Block(address: a + size, size: total - size, free: true, seq: takeSeq()), at: i + 1)
            }
            rover = a + size
            return a
        }
        if let last = blocks.last, last.free {
            guard heapSize + (size - last.size) <= model.limit else { return nil }
            top += size - last.size
            blocks[blocks.count - 1].size = size
            blocks[blocks.count - 1].free = false
            rover = top
            return last.address
        }
        guard heapSize + size <= model.limit else { return nil }
        blocks.append(Block(address: top, size: size, free: false, seq: 0))
        top += size
        rover = top
        return top - size
    }

    func hasAdjacentFree() -> Bool {
        zip(blocks, blocks.dropFirst()).contains { $0.free && $1.free }
    }

    mutating func coalesceAll() {
        var out: [Block] = []
        var i = 0
        while i < blocks.count {
            var b = blocks[i]
            var j = i + 1
            while b.free && j < blocks.count && blocks[j].free { b.size += blocks[j].size; j += 1 }
            if j > i + 1 { b.seq = takeSeq() }
            out.append(b)
            i = j
        }
        blocks = out
    }

    mutating func free(_ address: UInt64) {
        var i = index(of: address)
        blocks[i].free = true
        blocks[i].seq = takeSeq()
        if model.coalescing == .immediate {
            if i > 0 && blocks[i - 1].free {
                blocks[i - 1].size += blocks[i].size
                blocks.remove(at: i)
                i -= 1
            }
            if i + 1 < blocks.count && blocks[i + 1].free {
                blocks[i].size += blocks[i + 1].size
                blocks.remove(at: i + 1)
            }
            blocks[i].seq = takeSeq()
        }
    }

    mutating func reallocate(_ address: UInt64, _ n: UInt64) -> UInt64? {
        let size = model.blockSize(forRequest: n)!
        let i = index(of: address)
        let old = blocks[i]
        if size <= old.size {
            if size < old.size {
                blocks[i].size = size
                blocks.insert(Block(address: address + size, size: old.size - size, free: false, seq: 0), at: i + 1)
                free(address + size)
            }
            return address
        }
        if i + 1 < blocks.count && blocks[i + 1].free && old.size + blocks[i + 1].size >= size {
            let leftover = old.size + blocks[i + 1].size - size
            blocks[i].size = size
            if leftover > 0 {
                blocks[i + 1] = Block(address: address + size, size: leftover, free: true, seq: takeSeq())
            } else {
                blocks.remove(at: i + 1)
            }
            return address
        }
        guard let moved = allocate(n) else { return nil }
        free(address)
        return moved
    }
}
