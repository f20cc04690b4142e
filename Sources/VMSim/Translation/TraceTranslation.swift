/// Runs a program's accesses through an MMU the way an operating system would let it run:
/// a page touched for the first time takes a page fault, and the fault handler maps it to a frame
/// of the simulated physical memory (a huge page when `mapSize` is one), then the access retries.
///
/// Each access is translated once per page it touches (an access that straddles a page boundary
/// needs two translations, as on real hardware). Lackey's `M` (modify) is one translation with
/// write intent. The translated pieces can be written out as a physical-address trace.
///
///     var sim = try TraceTranslation(mmu: MMU<RadixPageTable>(format: .x86_64, memory: FrameAllocator(bytes: 1 << 32)), mapSize: .base4K)
///     sim.access(AddressAccess(address: 0x40_1000, size: 4, kind: .load))
///     sim.mmu.stats.walks
public struct TraceTranslation<Table: PageTable>: Sendable {
    /// The MMU the accesses go through, with its counts.
    public var mmu: MMU<Table>
    /// The size of the pages mapped on first touch.
    public let mapSize: PageSize
    /// The flags pages are mapped with: user read, write and execute (a trace has no VMAs to say otherwise).
    public let mapFlags: PageFlags = [.read, .write, .execute, .user]
    /// Records, page faults and accesses left untranslated.
    public var counts = TraceTranslationCounts()
    @usableFromInline let mapOrder: Int

    /// A run over `mmu` that maps each page on its first touch as a `mapSize` page.
    /// - Throws: `MapError.unsupportedSize` when the format cannot map `mapSize` pages.
    /// - Complexity: O(1).
    public init(mmu: MMU<Table>, mapSize: PageSize) throws(MapError) {
        guard mmu.format.level(mapping: mapSize) != nil else {
            throw .unsupportedSize(mapSize, format: mmu.format.name, sizes: mmu.format.pageSizes)
        }
        self.mmu = mmu
        self.mapSize = mapSize
        mapOrder = Int(mapSize.shift - mmu.format.basePage.shift)
    }

    /// Translates one access; appends the physical pieces to `out` (when given) and returns how
    /// many it appended. Accesses that cannot be translated (outside the format's address space,
    /// or no memory left to map them) are counted and produce no piece.
    /// - Complexity: O(pages touched) translations, each O(TLB ways) on a hit.
    @inlinable @discardableResult
    public mutating func access(_ a: AddressAccess, into out: UnsafeMutablePointer<AddressAccess>? = nil) -> Int {
        counts.records &+= 1
        let intent = AccessIntent(a.kind.accessKind)
        let size = UInt64(max(a.size, 1))
        var address = a.address
        let (lastByte, overflow) = a.address.addingReportingOverflow(size &- 1)
        let last = overflow ? UInt64.max : lastByte
        var pieces = 0
        while true {
            var r = mmu.translate(address, intent)
            if r.fault == .notPresent {
                r = handleFault(address, intent)
            }
            let pageEnd = r.pageShift == 0 && r.fault != .none
                ? (address | (mmu.format.basePage.bytes &- 1))
                : (address | ((UInt64(1) << UInt64(r.pageShift)) &- 1))
            let pieceEnd = min(pageEnd, last)
            if r.fault == .none {
                if let out {
                    out[pieces] = AddressAccess(address: r.physical, size: UInt32(truncatingIfNeeded: pieceEnd &- address &+ 1), kind: a.kind)
                }
                pieces &+= 1
            } else {
                counts.untranslatable &+= 1
            }
            if pieceEnd >= last { break }
            address = pieceEnd &+ 1
        }
        return pieces
    }

    /// The page fault handler: maps the page (of `mapSize`) around `address` and retries.
    @usableFromInline @inline(never)
    mutating func handleFault(_ address: UInt64, _ intent: AccessIntent) -> WalkResult {
        let base = address & ~(mapSize.bytes - 1)
        guard let frame = mmu.memory.allocate(order: mapOrder) else {
            counts.outOfMemory &+= 1
            return WalkResult(fault: .notPresent)
        }
        do {
            try mmu.map(VirtualAddress(base), to: PhysicalAddress(frame.rawValue << UInt64(mmu.format.basePage.shift)),
                        size: mapSize, flags: mapFlags)
        } catch {
            mmu.memory.free(frame, order: mapOrder)
            if error == .outOfMemory { counts.outOfMemory &+= 1 }
            return WalkResult(fault: .notPresent)
        }
        counts.pageFaults &+= 1
        return mmu.translate(address, intent)
    }

    /// Translates a batch; with `out`, writes the physical pieces there (room for
    /// `maxPiecesPerAccess` per access) and returns how many.
    /// - Complexity: O(batch.count) translations.
    @inlinable @discardableResult
    public mutating func run(_ batch: UnsafeBufferPointer<AddressAccess>, into out: UnsafeMutablePointer<AddressAccess>? = nil) -> Int {
        var n = 0
        for a in batch {
            n &+= access(a, into: out.map { $0 + n })
        }
        return n
    }
}

/// What a trace translation did besides translating.
public struct TraceTranslationCounts: Hashable, Sendable {
    /// Access records translated.
    public var records: UInt64 = 0
    /// First touches: page faults that mapped a page.
    public var pageFaults: UInt64 = 0
    /// Pieces of accesses left untranslated (outside the address space, or no memory).
    public var untranslatable: UInt64 = 0
    /// Page faults that found no free frame.
    public var outOfMemory: UInt64 = 0
    /// Zero counts.
    public init() {}
}
