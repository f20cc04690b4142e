/// How much invariant checking a heap simulation does.
public enum HeapChecking: Sendable {
    /// No checks.
    case off
    /// After every operation: the blocks it touched and their neighbours, blocks never overlapping
    /// (against a shadow set of allocated blocks), free + allocated = heap size; the whole heap at
    /// operations 1, 2, 4, 8, ... and at the end.
    case incremental
    /// The incremental checks and the whole heap after every operation (O(n) each; small traces).
    case full
}

/// Replays an allocation trace through an allocator: keeps the ids, the payloads, the
/// diagnostics and the metrics. The hot loop is here, specialised for the allocator type.
///
///     var sim = HeapSimulation(allocator: FreeListAllocator(policy: .first, model: HeapModel()))
///     ops.withUnsafeBufferPointer { sim.run($0) }
///     let stats = sim.finish()
public struct HeapSimulation<Allocator: HeapAllocator>: Sendable {
    /// How many diagnostics are kept (all are counted).
    public static var diagnosticLimit: Int { 1000 }
    /// Sample the heap at this many to twice this many points (and at the end).
    static var sampleTarget: Int { 500 }

    /// The allocator, with its heap after the operations replayed so far.
    public var allocator: Allocator
    /// How much invariant checking the run does.
    public let checking: HeapChecking
    /// How many of the largest unfreed blocks `finish` lists.
    public var leakLimit = 10

    // id -> state: a live block's handle, or `mappedTag | slot` for a chunk with its own mapping,
    // or `freedTag | line`, or `failedTag | line`.
    @usableFromInline var ids = HeapIDMap()
    @usableFromInline static var freedTag: UInt64 { 1 << 62 }
    @usableFromInline static var failedTag: UInt64 { 2 << 62 }
    @usableFromInline static var mappedTag: UInt64 { 3 << 62 }
    @usableFromInline static var tagMask: UInt64 { 3 << 62 }

    /// Whether an id's state is a live block, in the heap or mapped.
    @inlinable static func isLive(_ v: UInt64) -> Bool {
        v != HeapIDMap.absent && (v & tagMask == 0 || v & tagMask == mappedTag)
    }

    /// What the simulation knows of a block, by handle (one cache line for the three).
    @usableFromInline
    struct Held: Sendable {
        /// Bytes requested; `notLive` when the handle holds no block.
        @usableFromInline var payload: UInt64
        @usableFromInline var id: UInt64
        /// The line that allocated (or last resized) it.
        @usableFromInline var line: Int
        @usableFromInline init(payload: UInt64, id: UInt64, line: Int) {
            self.payload = payload
            self.id = id
            self.line = line
        }
    }
    @usableFromInline var held: ContiguousArray<Held> = []
    @usableFromInline static var notLive: UInt64 { .max }

    /// A chunk with its own mapping (glibc's large requests), by slot.
    @usableFromInline
    struct Mapped: Sendable {
        /// Bytes requested; `notLive` for a free slot.
        @usableFromInline var payload: UInt64
        @usableFromInline var id: UInt64
        @usableFromInline var line: Int
        /// Bytes mapped.
        @usableFromInline var size: UInt64
        @usableFromInline init(payload: UInt64, id: UInt64, line: Int, size: UInt64) {
            self.payload = payload
            self.id = id
            self.line = line
            self.size = size
        }
    }
    /// The mmap rules, with the threshold as it is now; nil: every block is in the heap.
    public private(set) var mmap: MallocMmap?
    @usableFromInline var mapped: ContiguousArray<Mapped> = []
    @usableFromInline var freeSlots: [Int] = []
    @usableFromInline var mappedPayload: UInt64 = 0
    @usableFromInline var mappedBytes: UInt64 = 0
    @usableFromInline var mappedChunks = 0

    @usableFromInline var stats = HeapStats()
    @usableFromInline var livePayload: UInt64 = 0
    @usableFromInline var liveBlocks: UInt64 = 0
    @usableFromInline var allocatedBlockBytes: UInt64 = 0
    @usableFromInline var freeBlocksSum: UInt64 = 0
    @usableFromInline var sampleEvery: UInt64 = 1
    /// Operations until the next sample.
    @usableFromInline var untilSample: UInt64 = 1
    @usableFromInline var nextCheckAll: UInt64 = 1
    /// Allocated blocks by address, when checking.
    @usableFromInline var shadow = FreeBlockTree(seed: 3, augmented: false)

    /// A simulation over `allocator`, which may already hold blocks; counts start at 0. With
    /// `mmap`, large requests get their own mappings beside the heap, as glibc's do.
    /// - Complexity: O(1).
    public init(allocator: Allocator, checking: HeapChecking = .off, mmap: MallocMmap? = nil) {
        self.allocator = allocator
        self.checking = checking
        self.mmap = mmap
        if checking != .off { self.allocator.recordTouches(true) }
    }

    /// Replays `ops` in order.
    /// - Complexity: O(ops.count × the allocator's cost per operation).
    @inlinable
    public mutating func run(_ ops: UnsafeBufferPointer<HeapOp>) {
        for op in ops {
            apply(op)
            stats.ops &+= 1
            let padding = (allocatedBlockBytes &+ mappedBytes) &- (livePayload &+ mappedPayload)
            if padding > stats.internalFragmentationMax { stats.internalFragmentationMax = padding }
            if livePayload &+ mappedPayload > stats.peakPayload {
                stats.peakPayload = livePayload &+ mappedPayload
                stats.peakOp = stats.ops
            }
            let freeBlocks = allocator.freeBlockCount
            freeBlocksSum &+= UInt64(freeBlocks)
            if freeBlocks > stats.freeBlocksMax { stats.freeBlocksMax = freeBlocks }
            untilSample &-= 1
            if untilSample == 0 { takeSample() }
            if checking != .off && stats.invariantViolation == nil { check() }
        }
    }

    /// Replays an array of operations (tests and examples).
    /// - Complexity: as `run(_:)` over a buffer.
    public mutating func run(_ ops: [HeapOp]) {
        ops.withUnsafeBufferPointer { run($0) }
    }

    /// The statistics of the run so far, with the end-of-trace figures (leaks, final sample).
    /// - Complexity: O(handles log handles).
    public func finish() -> HeapStats {
        var s = stats
        var copy = self
        if s.samples.last?.op != s.ops { copy.takeSample(); s.samples = copy.stats.samples }
        if checking != .off && s.invariantViolation == nil {
            s.invariantViolation = allocator.checkAll()
        }
        s.heapSize = allocator.heapSize
        s.search = allocator.searchCounters
        s.internalFragmentationAtExit = (allocatedBlockBytes &+ mappedBytes) &- (livePayload &+ mappedPayload)
        s.freeBlocksAtExit = allocator.freeBlockCount
        s.freeBlocksMean = s.ops == 0 ? 0 : Double(freeBlocksSum) / Double(s.ops)
        s.inUseAtExitBytes = livePayload &+ mappedPayload
        s.inUseAtExitBlocks = liveBlocks &+ UInt64(mappedChunks)
        s.mmappedBytesAtExit = mappedBytes
        s.mmappedChunksAtExit = UInt64(mappedChunks)
        s.mmapThresholdAtExit = mmap?.threshold
        let fragmentation = s.samples.map(\.externalFragmentation)
        s.externalFragmentationAtExit = s.samples.last?.externalFragmentation ?? 0
        s.externalFragmentationMean = fragmentation.isEmpty ? 0 : fragmentation.reduce(0, +) / Double(fragmentation.count)
        s.externalFragmentationMax = fragmentation.max() ?? 0
        var leaks: [HeapLeak] = []
        for h in held where h.payload != Self.notLive {
            leaks.append(HeapLeak(id: h.id, size: h.payload, line: h.line))
        }
        for c in mapped where c.payload != Self.notLive {
            leaks.append(HeapLeak(id: c.id, size: c.payload, line: c.line))
        }
        leaks.sort { $0.size != $1.size ? $0.size > $1.size : $0.line < $1.line }
        s.leaks = Array(leaks.prefix(leakLimit))
        return s
    }

    // MARK: Operations

    @inlinable
    mutating func apply(_ op: HeapOp) {
        switch op.kind {
        case .alloc:
            let v = ids[op.id]
            if Self.isLive(v) { diagnose(.idReused, op, earlierLine: liveLine(v)) }
            allocateNew(op.id, op.size, op)
        case .free:
            let v = ids[op.id]
            if v == HeapIDMap.absent {
                stats.frees &+= 1
                diagnose(.invalidFree, op)
                return
            }
            switch v & Self.tagMask {
            case 0:
                stats.frees &+= 1
                release(Int32(truncatingIfNeeded: v))
                ids[op.id] = Self.freedTag | UInt64(op.line)
            case Self.mappedTag:
                stats.frees &+= 1
                unmap(Int(v & ~Self.tagMask), raisingThreshold: true)
                ids[op.id] = Self.freedTag | UInt64(op.line)
            case Self.freedTag:
                stats.frees &+= 1
                diagnose(.doubleFree, op, earlierLine: Int(v & ~Self.tagMask))
            default:
                break // the allocation failed: this is free(NULL)
            }
        case .realloc:
            reallocate(op)
        }
    }

    @inlinable
    mutating func reallocate(_ op: HeapOp) {
        let stored = ids[op.id]
        let known = stored != HeapIDMap.absent
        let v = known ? stored : Self.failedTag
        let tag = v & Self.tagMask
        let isNull = (!known && op.flags.contains(.unknownIsNull)) || (known && tag == Self.failedTag)
        if isNull {
            // C's realloc(NULL, n): an allocation.
            if op.flags.contains(.failedInTrace) { return }
            removeStale(op.newID, op)
            allocateNew(op.newID, op.size, op)
            return
        }
        if !known || tag == Self.freedTag {
            // Memcheck counts a realloc of a bad pointer as an allocation and a free, then returns NULL.
            stats.allocs &+= 1
            stats.frees &+= 1
            stats.reallocs &+= 1
            stats.bytesAllocated &+= op.size
            if !known {
                diagnose(.invalidRealloc, op)
            } else {
                diagnose(.reallocOfFreed, op, earlierLine: Int(v & ~Self.tagMask))
                if op.flags.contains(.unknownIsNull) && !op.flags.contains(.failedInTrace) {
                    // A malloc-lab id: the driver would pass the stale pointer; go on as if it were new.
                    stats.allocs &-= 1
                    stats.bytesAllocated &-= op.size
                    ids.remove(op.id)
                    removeStale(op.newID, op)
                    allocateNew(op.newID, op.size, op)
                }
            }
            return
        }
        let h = Int32(truncatingIfNeeded: v)
        if op.flags.contains(.failedInTrace) {
            stats.allocs &+= 1
            stats.frees &+= 1
            stats.reallocs &+= 1
            stats.bytesAllocated &+= op.size
            return
        }
        if op.size == 0 {
            // realloc(p, 0) frees p and returns NULL (glibc, memcheck, the CS:APP lab).
            stats.frees &+= 1
            if tag == Self.mappedTag { unmap(Int(v & ~Self.tagMask), raisingThreshold: true) } else { release(h) }
            ids[op.id] = Self.freedTag | UInt64(op.line)
            return
        }
        if tag == Self.mappedTag || mapsOnGrowth(h, to: op.size) {
            reallocateMapped(v, op)
            return
        }
        let oldBlock = allocator.size(of: h)
        if checking != .off { shadow.remove(h) }
        let moved = allocator.reallocate(h, to: op.size)
        if moved < 0 {
            if checking != .off { shadowInsert(h) }
            diagnose(allocator.lastFailure == .tooLarge ? .tooLarge : .heapLimit, op)
            return
        }
        stats.allocs &+= 1
        stats.frees &+= 1
        stats.reallocs &+= 1
        stats.bytesAllocated &+= op.size
        livePayload = livePayload &- held[Int(h)].payload &+ op.size
        allocatedBlockBytes = allocatedBlockBytes &- oldBlock &+ allocator.size(of: moved)
        if moved != h { held[Int(h)].payload = Self.notLive }
        record(moved, id: op.newID, size: op.size, line: op.line)
        if op.newID == op.id {
            ids[op.id] = UInt64(moved)
        } else {
            ids[op.id] = Self.freedTag | UInt64(op.line)
            removeStale(op.newID, op)
            ids[op.newID] = UInt64(moved)
        }
        if checking != .off { shadowInsert(moved) }
    }

    /// Forgets what an id named before it names a new block (a freed or failed one); a live
    /// block under it is reported and leaks.
    @inlinable
    mutating func removeStale(_ id: UInt64, _ op: HeapOp) {
        let v = ids[id]
        guard v != HeapIDMap.absent else { return }
        if Self.isLive(v) { diagnose(.idReused, op, earlierLine: liveLine(v)) }
        ids.remove(id)
    }

    /// The line that allocated the live block of id state `v`.
    @inlinable
    func liveLine(_ v: UInt64) -> Int {
        v & Self.tagMask == Self.mappedTag ? mapped[Int(v & ~Self.tagMask)].line : held[Int(v)].line
    }

    /// Allocates a new block as `id`, which the map does not hold.
    @inlinable
    mutating func allocateNew(_ id: UInt64, _ size: UInt64, _ op: HeapOp) {
        if mmap != nil && mapsNew(size) {
            stats.allocs &+= 1
            stats.bytesAllocated &+= size
            ids[id] = map(id: id, size: size, line: op.line)
            return
        }
        let h = allocator.allocate(size)
        if h < 0 {
            diagnose(allocator.lastFailure == .tooLarge ? .tooLarge : .heapLimit, op)
            ids[id] = Self.failedTag | UInt64(op.line)
            return
        }
        stats.allocs &+= 1
        stats.bytesAllocated &+= size
        livePayload &+= size
        liveBlocks &+= 1
        allocatedBlockBytes &+= allocator.size(of: h)
        record(h, id: id, size: size, line: op.line)
        ids[id] = UInt64(h)
        if checking != .off { shadowInsert(h) }
    }

    @inlinable
    mutating func record(_ h: Int32, id: UInt64, size: UInt64, line: Int) {
        let i = Int(h)
        if i >= held.count {
            let n = Swift.max(i + 1, held.count * 2)
            held.append(contentsOf: repeatElement(Held(payload: Self.notLive, id: 0, line: 0), count: n - held.count))
        }
        held[i] = Held(payload: size, id: id, line: line)
    }

    @inlinable
    mutating func release(_ h: Int32) {
        livePayload &-= held[Int(h)].payload
        liveBlocks &-= 1
        allocatedBlockBytes &-= allocator.size(of: h)
        held[Int(h)].payload = Self.notLive
        if checking != .off { shadow.remove(h) }
        allocator.free(h)
    }

    // MARK: Chunks with their own mappings (glibc's large requests)

    /// Whether `sysmalloc` would map a new request of `size` bytes: its chunk is at the threshold
    /// or above, fewer than the most chunks are mapped, it is within the address space, and no
    /// free block of the heap holds it.
    @usableFromInline
    func mapsNew(_ size: UInt64) -> Bool {
        guard let m = mmap, size <= HeapModel.addressSpaceLimit, m.chunkSize(forRequest: size) >= m.threshold,
              mappedChunks < m.maxChunks else { return false }
        return !allocator.holdsWithoutGrowing(size)
    }

    /// Whether growing heap block `h` to `size` bytes moves it to a mapping: `_int_realloc` grows a
    /// chunk that cannot stay by `_int_malloc`, which maps it as `mapsNew` says. (Growth in place
    /// into a free neighbour, which glibc tries first, is taken only if no free block holds the
    /// new size, a simplification.)
    @usableFromInline
    func mapsOnGrowth(_ h: Int32, to size: UInt64) -> Bool {
        guard mmap != nil, let block = allocator.model.blockSize(forRequest: size), block > allocator.size(of: h) else { return false }
        return mapsNew(size)
    }

    /// Maps a chunk for `size` bytes as `id`; returns its id state.
    @usableFromInline @inline(never)
    mutating func map(id: UInt64, size: UInt64, line: Int) -> UInt64 {
        let bytes = mmap!.mappingSize(forRequest: size)
        let c = Mapped(payload: size, id: id, line: line, size: bytes)
        let slot: Int
        if let s = freeSlots.popLast() { slot = s; mapped[s] = c } else { slot = mapped.count; mapped.append(c) }
        mappedChunks += 1
        mappedPayload &+= size
        mappedBytes &+= bytes
        stats.mmaps &+= 1
        if mappedBytes > stats.mmappedBytesPeak { stats.mmappedBytesPeak = mappedBytes }
        return Self.mappedTag | UInt64(slot)
    }

    /// `munmap_chunk`; from `free`, `__libc_free` first raises the dynamic threshold to the chunk's
    /// size (`chunksize(p)`: the whole mapping) when that is above it and at most the maximum.
    @usableFromInline @inline(never)
    mutating func unmap(_ slot: Int, raisingThreshold: Bool) {
        let c = mapped[slot]
        if raisingThreshold, var m = mmap, m.dynamic, c.size > m.threshold, c.size <= m.maxThreshold {
            m.threshold = c.size
            mmap = m
        }
        mappedChunks -= 1
        mappedPayload &-= c.payload
        mappedBytes &-= c.size
        mapped[slot].payload = Self.notLive
        freeSlots.append(slot)
        stats.munmaps &+= 1
    }

    /// realloc of a mapped chunk (`mremap_chunk`: remapped to the new rounded size, unless that is
    /// the size it has), or of a heap block that grows into a mapping (mapped, the heap block freed).
    @usableFromInline @inline(never)
    mutating func reallocateMapped(_ v: UInt64, _ op: HeapOp) {
        stats.allocs &+= 1
        stats.frees &+= 1
        stats.reallocs &+= 1
        stats.bytesAllocated &+= op.size
        let state: UInt64
        if v & Self.tagMask == Self.mappedTag {
            let slot = Int(v & ~Self.tagMask)
            let bytes = mmap!.mappingSize(forRequest: op.size)
            if bytes != mapped[slot].size { stats.mremaps &+= 1 }
            mappedPayload = mappedPayload &- mapped[slot].payload &+ op.size
            mappedBytes = mappedBytes &- mapped[slot].size &+ bytes
            if mappedBytes > stats.mmappedBytesPeak { stats.mmappedBytesPeak = mappedBytes }
            mapped[slot] = Mapped(payload: op.size, id: op.newID, line: op.line, size: bytes)
            state = v
        } else {
            state = map(id: op.newID, size: op.size, line: op.line)
            release(Int32(truncatingIfNeeded: v))
        }
        if op.newID == op.id {
            ids[op.id] = state
        } else {
            ids[op.id] = Self.freedTag | UInt64(op.line)
            removeStale(op.newID, op)
            ids[op.newID] = state
        }
    }

    @usableFromInline @inline(never)
    mutating func diagnose(_ kind: HeapDiagnostic.Kind, _ op: HeapOp, earlierLine: Int = 0) {
        stats.diagnosticCounts[kind, default: 0] += 1
        if stats.diagnostics.count < Self.diagnosticLimit {
            stats.diagnostics.append(HeapDiagnostic(kind: kind, line: op.line, id: op.id, size: op.size, earlierLine: earlierLine))
        }
    }

    // MARK: Samples and checks

    @usableFromInline @inline(never)
    mutating func takeSample() {
        stats.samples.append(HeapSample(op: stats.ops, heapSize: allocator.heapSize, payload: livePayload,
                                        freeBytes: allocator.freeBytes, largestFree: allocator.largestFreeBlock(),
                                        freeBlocks: allocator.freeBlockCount, mapped: mappedBytes, mappedPayload: mappedPayload))
        if stats.samples.count >= 2 * Self.sampleTarget {
            sampleEvery *= 2
            stats.samples.removeAll { $0.op % sampleEvery != 0 }
        }
        untilSample = sampleEvery &- stats.ops % sampleEvery
    }

    @usableFromInline
    mutating func shadowInsert(_ h: Int32) {
        let address = allocator.address(of: h), size = allocator.size(of: h)
        let below = shadow.lastBelow(TreeKey(address)), above = shadow.lowerBound(TreeKey(address))
        if below >= 0, shadow.key(of: below).hi &+ shadow.size(of: below) > address {
            fail("block at \(address) overlaps the allocated block at \(shadow.key(of: below).hi)")
        }
        if above >= 0, shadow.key(of: above).hi < address &+ size {
            fail("block at \(address) of \(size) bytes overlaps the allocated block at \(shadow.key(of: above).hi)")
        }
        if address < allocator.base || address &+ size > allocator.base &+ allocator.heapSize {
            fail("block at \(address) of \(size) bytes lies outside the heap")
        }
        shadow.insert(h, key: TreeKey(address), size: size)
    }

    @usableFromInline
    mutating func fail(_ message: String) {
        if stats.invariantViolation == nil { stats.invariantViolation = "after operation \(stats.ops): \(message)" }
    }

    @usableFromInline @inline(never)
    mutating func check() {
        if let problem = allocator.checkTouched() { fail(problem); return }
        if allocator.freeBytes &+ allocatedBlockBytes != allocator.heapSize {
            fail("free \(allocator.freeBytes) + allocated \(allocatedBlockBytes) != heap size \(allocator.heapSize)")
            return
        }
        if checking == .full || stats.ops >= nextCheckAll {
            nextCheckAll = stats.ops * 2
            if let problem = allocator.checkAll() { fail(problem) }
        }
    }
}
