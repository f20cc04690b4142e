/// One slab cache (`struct kmem_cache` of mm/slub.c): its object layout and slab geometry,
/// computed as SLUB computes them, and the counts /proc/slabinfo prints.
public struct KmemCache: Sendable {
    /// The cache's name (`kmalloc-96`, or the name given to `kmem_cache_create()`).
    public let name: String
    /// `s->object_size`: the size asked for.
    public let objectSize: Int
    /// `s->size`: the object's footprint in the slab (aligned; SLUB keeps the free pointer inside
    /// the object when there is no constructor, RCU or poisoning).
    public let size: Int
    /// `s->align`.
    public let align: Int
    /// `oo_order(s->oo)` and `oo_objects(s->oo)`: the preferred slab order and its object count.
    public let order: Int
    /// Objects in a slab of the preferred order.
    public let objectsPerSlab: Int
    /// `s->min`: the fallback slab order (`get_order(size)`) used when the preferred one fails.
    public let minOrder: Int
    /// `s->min_partial`: empty slabs are kept while the node has fewer partial slabs than this.
    public let minPartial: Int
    /// Slab pages come from the reclaimable lists (`SLAB_RECLAIM_ACCOUNT`) instead of unmovable.
    public let reclaimable: Bool
    /// Whether this is one of the kmalloc caches.
    public let isKmalloc: Bool

    /// The node's partial list (`n->partial`), linked through the slabs.
    var partial = IndexList()
    /// `n->nr_partial`: slabs on the partial list.
    public var nrPartial: Int { partial.count }
    /// `n->nr_slabs`, `n->total_objects`, and objects handed out.
    public internal(set) var nrSlabs = 0
    public internal(set) var totalObjects = 0
    public internal(set) var activeObjects = 0

    /// Pages per slab of the preferred order.
    public var pagesPerSlab: Int { 1 << order }
}

/// A slab: `1 << order` pages cut into `objects` objects, with a LIFO freelist.
struct Slab: IndexLinked, Sendable {
    var pfn: Int
    var order: Int
    var objects: Int
    var inuse: Int
    var cache: Int
    var next: Int32 = -1
    var prev: Int32 = -1
    var onPartial = false
    /// Free object indices; the last is the freelist head.
    var freeObjects: ContiguousArray<UInt16>
    var live = true
}

/// An object handed out by SLUB: its cache, slab and index in the slab.
public struct SlabObject: Hashable, Sendable {
    /// The cache's index in `SlabAllocator.caches`.
    public let cache: Int
    let slab: Int32
    /// The object's index in its slab.
    public let index: Int
}

/// What `kmalloc()` returned.
public enum KmallocResult: Hashable, Sendable {
    /// An object from a kmalloc cache.
    case object(SlabObject)
    /// A block from the page allocator (`kmalloc_large()`, sizes above 8 KiB).
    case pages(pfn: Int, order: Int)
    /// `ZERO_SIZE_PTR` for `kmalloc(0)`.
    case zeroSize
    /// NULL: the slab or page allocation failed, or the size exceeds `KMALLOC_MAX_SIZE`.
    case failed
}

/// The SLUB allocator (mm/slub.c, mm/slab_common.c): the kmalloc caches `kmalloc-8` ...
/// `kmalloc-8k` (with -96 and -192), custom caches, and slabs taken from and returned to a
/// `PhysicalMemory`. Per-CPU slabs are not modelled: every slab lives on the node's lists.
///
///     var slub = SlabAllocator(cpus: 4)
///     let r = slub.kmalloc(size: 100, memory: &mem)   // an object of kmalloc-128
public struct SlabAllocator: Sendable {
    /// The CPU count used by `calculate_order()`.
    public let cpus: Int
    /// Every cache in creation order (/proc/slabinfo lists them newest first).
    public private(set) var caches: [KmemCache] = []
    var slabs: ContiguousArray<Slab> = []
    var freeSlabSlots: [Int32] = []
    /// Pages held by `kmalloc_large()` allocations.
    public private(set) var largePages = 0
    /// Slab pages allocated and freed.
    public private(set) var slabPagesAllocated = 0
    public private(set) var slabPagesFreed = 0
    /// The cache index of each entry of `kmallocSizes`.
    let kmallocCacheIndices: [Int]

    /// `KMALLOC_SHIFT_HIGH`: the largest kmalloc cache, 8 KiB (two pages).
    public static let kmallocMaxCacheSize = 8192
    /// The kmalloc cache sizes, smallest first.
    public static let kmallocSizes = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]
    /// `slub_max_order` (`PAGE_ALLOC_COSTLY_ORDER`).
    public static let slubMaxOrder = 3
    /// `MAX_OBJS_PER_PAGE`.
    public static let maxObjsPerPage = 32767
    static let pageSize = 4096

    /// Creates the kmalloc caches in the order `create_kmalloc_caches()` does: kmalloc-96 and
    /// kmalloc-192 first, then the powers of two from 8 to 8k.
    /// - Complexity: O(1).
    public init(cpus: Int) {
        self.cpus = cpus
        let creationOrder = [96, 192, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]
        kmallocCacheIndices = Self.kmallocSizes.map { creationOrder.firstIndex(of: $0)! }
        for size in creationOrder {
            let name = size >= 1024 ? "kmalloc-\(size / 1024)k" : "kmalloc-\(size)"
            // kmalloc caches are aligned to the largest power of two dividing their size.
            caches.append(Self.makeCache(name: name, objectSize: size, align: size & -size, reclaimable: false,
                                         isKmalloc: true, cpus: cpus)!)
        }
    }

    /// `fls()`: the position of the highest set bit, 1-based; 0 for 0.
    static func fls(_ x: Int) -> Int { x == 0 ? 0 : Int.bitWidth - x.leadingZeroBitCount }

    /// `get_order()`: the smallest order whose block holds `size` bytes.
    /// - Complexity: O(1).
    public static func getOrder(_ size: Int) -> Int {
        if size <= pageSize { return 0 }
        return fls((size - 1) >> 12)
    }

    /// `order_objects()`: objects of `size` bytes in a slab of `order`.
    static func orderObjects(_ order: Int, _ size: Int) -> Int { (pageSize << order) / size }

    /// `calc_slab_order()`: the smallest order from `minOrder` to `maxOrder` whose leftover
    /// `(PAGE_SIZE << order) % size` is at most `1/fraction` of the slab; `maxOrder + 1` if none.
    static func calcSlabOrder(size: Int, minOrder: Int, maxOrder: Int, fraction: Int) -> Int {
        var order = minOrder
        while order <= maxOrder {
            let slabSize = pageSize << order
            if slabSize % size <= slabSize / fraction { break }
            order += 1
        }
        return order
    }

    /// `calculate_order()`: `min_objects = 4 * (fls(nr_cpus) + 1)` (capped by what an order-3 slab
    /// holds), `min_order = get_order(min_objects * size)`, then the smallest order up to
    /// `slub_max_order` wasting at most 1/16, 1/8, 1/4, then 1/2 of the slab; else
    /// `get_order(size)`. Returns nil when even that exceeds `maxPageOrder`.
    /// - Complexity: O(slub_max_order).
    public static func calculateOrder(size: Int, cpus: Int, maxPageOrder: Int = 10) -> Int? {
        var minObjects = 4 * (fls(Swift.max(cpus, 1)) + 1)
        let maxObjects = Swift.max(orderObjects(slubMaxOrder, size), 1)
        minObjects = Swift.min(minObjects, maxObjects)
        let minOrder = getOrder(minObjects * size)
        if orderObjects(minOrder, size) > maxObjsPerPage { return getOrder(size * maxObjsPerPage) - 1 }
        for fraction in [16, 8, 4, 2] {
            let order = calcSlabOrder(size: size, minOrder: minOrder, maxOrder: slubMaxOrder, fraction: fraction)
            if order <= slubMaxOrder { return order }
        }
        let order = getOrder(size)
        return order <= maxPageOrder ? order : nil
    }

    /// `calculate_sizes()` and `kmem_cache_open()` for a cache without debugging, constructor or
    /// RCU: `size = ALIGN(ALIGN(object_size, sizeof(void *)), align)` with `align` at least 8
    /// (`calculate_alignment()`), the orders from `calculate_order()`, and
    /// `min_partial = clamp(ilog2(size) / 2, 5, 10)`.
    static func makeCache(name: String, objectSize: Int, align: Int, reclaimable: Bool, isKmalloc: Bool,
                          cpus: Int, maxPageOrder: Int = 10) -> KmemCache? {
        let alignment = (Swift.max(align, 8) + 7) & ~7
        var size = (objectSize + 7) & ~7
        size = (size + alignment - 1) / alignment * alignment
        guard let order = calculateOrder(size: size, cpus: cpus, maxPageOrder: maxPageOrder) else { return nil }
        let minOrder = getOrder(size)
        let ilog2 = fls(size) - 1
        return KmemCache(name: name, objectSize: objectSize, size: size, align: alignment, order: order,
                         objectsPerSlab: orderObjects(order, size), minOrder: minOrder,
                         minPartial: Swift.min(Swift.max(ilog2 / 2, 5), 10), reclaimable: reclaimable,
                         isKmalloc: isKmalloc)
    }

    /// The cache index named `name`.
    /// - Complexity: O(caches).
    public func cacheIndex(named name: String) -> Int? { caches.firstIndex { $0.name == name } }

    /// The kmalloc cache size serving a request of `size` bytes (`kmalloc_index()`): 96 for
    /// 65...96, 192 for 129...192, else the next power of two from 8; nil above 8 KiB.
    /// - Complexity: O(1).
    public static func kmallocCacheSize(for size: Int) -> Int? {
        guard size <= kmallocMaxCacheSize else { return nil }
        if size <= 8 { return 8 }
        if size > 64 && size <= 96 { return 96 }
        if size > 128 && size <= 192 { return 192 }
        return 1 << fls(size - 1)
    }

    /// `kmem_cache_create()` of a cache of `size`-byte objects aligned to `align` (a power of two),
    /// optionally `SLAB_RECLAIM_ACCOUNT`. Returns the cache index, or a sentence saying why not.
    /// Caches are never merged with existing ones (as with `slab_nomerge`).
    /// - Complexity: O(caches).
    public mutating func createCache(name: String, size: Int, align: Int = 8, reclaimable: Bool = false,
                                     maxPageOrder: Int = 10) -> Result<Int, CacheError> {
        if cacheIndex(named: name) != nil { return .failure(CacheError("a cache named \(name) already exists")) }
        if size < 1 { return .failure(CacheError("object size must be at least 1 byte")) }
        if align < 1 || align & (align - 1) != 0 || align > Self.pageSize {
            return .failure(CacheError("align=\(align) is not a power of two up to 4096"))
        }
        guard let cache = Self.makeCache(name: name, objectSize: size, align: align, reclaimable: reclaimable,
                                         isKmalloc: false, cpus: cpus, maxPageOrder: maxPageOrder) else {
            return .failure(CacheError("objects of \(size) bytes do not fit in a block of the maximum order"))
        }
        caches.append(cache)
        return .success(caches.count - 1)
    }

    /// A reason a cache cannot be created.
    public struct CacheError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The reason, in a sentence.
        public let description: String
        init(_ d: String) { description = d }
    }

    /// `kmalloc()`: an object of the kmalloc cache for `size`, or pages from the page allocator
    /// (`kmalloc_large()`, order `get_order(size)`, unmovable) above 8 KiB.
    /// - Complexity: O(1) amortized; a new slab costs one page allocation.
    public mutating func kmalloc(size: Int, memory: inout PhysicalMemory, cpu: Int = 0) -> KmallocResult {
        if size == 0 { return .zeroSize }
        guard size > 0 else { return .failed }
        if let cacheSize = Self.kmallocCacheSize(for: size) {
            let cache = kmallocCacheIndices[Self.kmallocSizes.firstIndex(of: cacheSize)!]
            guard let obj = cacheAlloc(cache: cache, memory: &memory, cpu: cpu) else { return .failed }
            return .object(obj)
        }
        let order = Self.getOrder(size)
        guard order <= memory.maxOrder else { return .failed }
        guard let pfn = memory.allocPages(order: order, migratetype: .unmovable, zone: nil, cpu: cpu) else { return .failed }
        largePages += 1 << order
        return .pages(pfn: pfn, order: order)
    }

    /// `kfree()` of a `kmalloc_large()` block.
    /// - Complexity: as `PhysicalMemory.freePages`.
    public mutating func kfreeLarge(pfn: Int, memory: inout PhysicalMemory, cpu: Int = 0) {
        if let order = memory.allocatedOrder(pfn: pfn), memory.freePages(pfn: pfn, cpu: cpu) {
            largePages -= 1 << order
        }
    }

    /// `kmem_cache_alloc()`: the next free object of the first slab on the partial list, or of a
    /// new slab (`allocate_slab()`: the cache's order, else its minimum order) put at the list's
    /// head. A slab that becomes full leaves the list. Returns nil when no slab can be allocated.
    /// - Complexity: O(1) amortized; a new slab costs one page allocation and O(objects).
    public mutating func cacheAlloc(cache c: Int, memory: inout PhysicalMemory, cpu: Int = 0) -> SlabObject? {
        var s = caches[c].partial.head
        if s < 0 {
            guard let created = newSlab(cache: c, memory: &memory, cpu: cpu) else { return nil }
            s = created
            addPartial(cache: c, slab: s, tail: false)
        }
        let si = Int(s)
        let index = Int(slabs[si].freeObjects.removeLast())
        slabs[si].inuse += 1
        caches[c].activeObjects += 1
        if slabs[si].inuse == slabs[si].objects { removePartial(cache: c, slab: s) }
        debugCheckInvariants()
        return SlabObject(cache: c, slab: s, index: index)
    }

    /// Whether `object` is currently allocated (guards against double frees).
    /// - Complexity: O(objects per slab).
    public func isLive(_ object: SlabObject) -> Bool {
        let si = Int(object.slab)
        guard si >= 0 && si < slabs.count, slabs[si].live, slabs[si].cache == object.cache else { return false }
        return !slabs[si].freeObjects.contains(UInt16(object.index))
    }

    /// The physical address of `object`: its slab's first byte plus `index * size`.
    /// - Complexity: O(1).
    public func address(of object: SlabObject) -> UInt64 {
        UInt64(slabs[Int(object.slab)].pfn) << 12 + UInt64(object.index * caches[object.cache].size)
    }

    /// `kmem_cache_free()` / `kfree()` (`__slab_free()`): the object returns to its slab's
    /// freelist; a slab that was full goes to the TAIL of the partial list; a slab left empty is
    /// discarded (its pages freed) when the node already has `min_partial` partial slabs.
    /// - Complexity: O(1), plus a page free when a slab is discarded.
    public mutating func free(_ object: SlabObject, memory: inout PhysicalMemory, cpu: Int = 0) {
        let c = object.cache
        let s = object.slab
        let si = Int(s)
        let wasFull = !slabs[si].onPartial
        slabs[si].freeObjects.append(UInt16(object.index))
        slabs[si].inuse -= 1
        caches[c].activeObjects -= 1
        if slabs[si].inuse == 0 && caches[c].nrPartial >= caches[c].minPartial {
            if !wasFull { removePartial(cache: c, slab: s) }
            discardSlab(s, memory: &memory, cpu: cpu)
            return
        }
        if wasFull { addPartial(cache: c, slab: s, tail: true) }
        debugCheckInvariants()
    }

    /// `kmem_cache_shrink()`: discards every empty slab of the cache (or of all caches) and
    /// orders the partial list fullest first.
    /// - Complexity: O(slabs on the partial lists).
    public mutating func shrink(cache: Int? = nil, memory: inout PhysicalMemory, cpu: Int = 0) {
        for c in caches.indices where cache == nil || cache == c {
            var kept: [Int32] = []
            var s = caches[c].partial.head
            while s >= 0 {
                let next = slabs[Int(s)].next
                removePartial(cache: c, slab: s)
                if slabs[Int(s)].inuse == 0 { discardSlab(s, memory: &memory, cpu: cpu) } else { kept.append(s) }
                s = next
            }
            kept.sort { slabs[Int($0)].objects - slabs[Int($0)].inuse < slabs[Int($1)].objects - slabs[Int($1)].inuse }
            for s in kept { addPartial(cache: c, slab: s, tail: true) }
        }
    }

    /// `allocate_slab()`.
    mutating func newSlab(cache c: Int, memory: inout PhysicalMemory, cpu: Int) -> Int32? {
        let mt: MigrateType = caches[c].reclaimable ? .reclaimable : .unmovable
        var order = caches[c].order
        var pfn = order <= memory.maxOrder ? memory.allocPages(order: order, migratetype: mt, zone: nil, cpu: cpu) : nil
        if pfn == nil && caches[c].minOrder < order {
            order = caches[c].minOrder
            pfn = memory.allocPages(order: order, migratetype: mt, zone: nil, cpu: cpu)
        }
        guard let pfn else { return nil }
        let objects = Self.orderObjects(order, caches[c].size)
        let slab = Slab(pfn: pfn, order: order, objects: objects, inuse: 0, cache: c,
                        freeObjects: ContiguousArray((0..<objects).reversed().map { UInt16($0) }))
        let s: Int32
        if let slot = freeSlabSlots.popLast() {
            s = slot
            slabs[Int(slot)] = slab
        } else {
            s = Int32(slabs.count)
            slabs.append(slab)
        }
        caches[c].nrSlabs += 1
        caches[c].totalObjects += objects
        slabPagesAllocated += 1 << order
        return s
    }

    /// `discard_slab()`: the slab's pages go back to the page allocator.
    mutating func discardSlab(_ s: Int32, memory: inout PhysicalMemory, cpu: Int) {
        let si = Int(s)
        let c = slabs[si].cache
        caches[c].nrSlabs -= 1
        caches[c].totalObjects -= slabs[si].objects
        slabPagesFreed += 1 << slabs[si].order
        memory.freePages(pfn: slabs[si].pfn, cpu: cpu)
        slabs[si].live = false
        slabs[si].freeObjects = []
        freeSlabSlots.append(s)
    }

    /// `add_partial()`.
    mutating func addPartial(cache c: Int, slab s: Int32, tail: Bool) {
        slabs[Int(s)].onPartial = true
        if tail { slabs.pushTail(s, &caches[c].partial) } else { slabs.pushHead(s, &caches[c].partial) }
    }

    /// `remove_partial()`.
    mutating func removePartial(cache c: Int, slab s: Int32) {
        slabs.remove(s, &caches[c].partial)
        slabs[Int(s)].onPartial = false
    }

    /// Free objects on the partial slabs of cache `c` (`count_partial_free_approx()`).
    /// - Complexity: O(partial slabs).
    public func partialFreeObjects(cache c: Int) -> Int {
        var free = 0
        var s = caches[c].partial.head
        while s >= 0 {
            free += slabs[Int(s)].objects - slabs[Int(s)].inuse
            s = slabs[Int(s)].next
        }
        return free
    }

    /// Pages held by slabs of all caches.
    /// - Complexity: O(1).
    public var slabPages: Int { slabPagesAllocated - slabPagesFreed }
}
