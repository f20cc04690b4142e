/// Two-dimensional paging (Intel EPT, AMD NPT): a guest's page table translates guest-virtual to
/// guest-physical addresses, and every guest-physical address the walk touches (each guest
/// page-table entry, then the data) is itself translated by the host's extended page table to a
/// host-physical one. A cold walk of an n-level guest over an m-level host reads (n + 1)(m + 1) - 1
/// entries: 24 for 4 on 4, 35 for 5 on 5, 19 for a 4-level guest over a host mapping with 2M pages
/// (m - 1 levels). A nested TLB caches guest-physical to host-physical translations (the host walks
/// of guest page-table pages and data), and the TLB caches the combined guest-virtual to
/// host-physical translation. A guest-physical page the host has not mapped yet is an EPT
/// violation: the host maps it (a host fault) and the walk restarts.
///
///     var n = try NestedMMU(guest: .x86_64, host: .x86_64)
///     try n.mapGuest(0x7fff_0000_0000, to: 0x4000_0000, size: .base4K, flags: .userData)
///     let w = n.translate(0x7fff_0000_0abc, AccessIntent(.load))
///     w.references                  // 24
///     n.translate(0x7fff_0000_0abc, AccessIntent(.load)).references   // 0: a TLB hit
///
/// - Complexity: O(n × m) per walk.
public struct NestedMMU: Sendable {
    /// The guest's page table (guest-virtual → guest-physical).
    public internal(set) var guest: RadixPageTable
    /// The host's extended page table (guest-physical → host-physical).
    public internal(set) var host: RadixPageTable
    /// The page size the host maps guest memory with.
    public let hostPage: PageSize
    var guestMemory: FrameAllocator
    var hostMemory: FrameAllocator
    /// The nested TLB: guest-physical page → host-physical page, most recent last.
    var nestedTLB: [(gpa: UInt64, hpa: UInt64)] = []
    /// The TLB: guest-virtual page → host-physical page, most recent last.
    var tlb: [(gva: UInt64, hpa: UInt64)] = []
    /// Entries of each (0: none).
    public let nestedTLBEntries: Int, tlbEntries: Int
    /// EPT violations so far (guest-physical pages the host mapped on demand).
    public internal(set) var eptViolations = 0

    /// A guest of `guestMemory` bytes in the format `guest`, over a host of `hostMemory` bytes
    /// whose extended page table has the format `host` and maps guest memory with `hostPage`
    /// pages; nested TLB and TLB of the given sizes (0: none).
    /// - Throws: `MapError` when a root table finds no memory or the host cannot map `hostPage`.
    /// - Complexity: O(entries of a root table).
    public init(guest gf: PageTableFormat, host hf: PageTableFormat, hostPage: PageSize = .base4K,
                guestMemory: UInt64 = 1 << 30, hostMemory: UInt64 = 4 << 30, nestedTLBEntries: Int = 0, tlbEntries: Int = 64) throws(MapError) {
        guard hf.level(mapping: hostPage) != nil else { throw .unsupportedSize(hostPage, format: hf.name, sizes: hf.pageSizes) }
        self.hostPage = hostPage
        self.guestMemory = FrameAllocator(bytes: guestMemory, frameSize: gf.basePage)
        self.hostMemory = FrameAllocator(bytes: hostMemory, frameSize: hf.basePage)
        guest = try RadixPageTable(format: gf, memory: &self.guestMemory)
        host = try RadixPageTable(format: hf, memory: &self.hostMemory)
        self.nestedTLBEntries = max(0, nestedTLBEntries)
        self.tlbEntries = max(0, tlbEntries)
    }

    /// Maps a guest-virtual page to a guest-physical one in the guest's table (the guest kernel's
    /// work; its table pages are guest-physical pages too).
    /// - Complexity: O(levels).
    public mutating func mapGuest(_ virtual: UInt64, to physical: UInt64, size: PageSize, flags: PageFlags) throws(MapError) {
        try guest.map(VirtualAddress(virtual), to: PhysicalAddress(physical), size: size, flags: flags, memory: &guestMemory)
    }

    /// Empties the TLB and the nested TLB (the EPT and the guest table stay).
    /// - Complexity: O(1).
    public mutating func flushTLBs() {
        tlb.removeAll()
        nestedTLB.removeAll()
    }

    /// The root of the guest's table (its CR3), guest-physical.
    public var guestRoot: UInt64 { guest.rootAddress.rawValue }

    /// One translation of `address` with every step: a TLB hit, or the guest walk with a host
    /// walk (or nested TLB hit) before each guest entry and after the last.
    /// - Complexity: O(n × m).
    public mutating func translate(_ address: UInt64, _ intent: AccessIntent) -> NestedWalk {
        let gvaPage = address >> 12
        if let i = tlb.firstIndex(where: { $0.gva == gvaPage }) {
            let e = tlb.remove(at: i)
            tlb.append(e)
            var w = NestedWalk(address: address)
            w.tlbHit = true
            w.physical = e.hpa << 12 | (address & 4095)
            return w
        }
        var restarts = 0
        let violationsBefore = eptViolations
        var earlier: [NestedStep] = []
        while true {
            var w = NestedWalk(address: address)
            w.eptViolations = violationsBefore
            w.steps = earlier
            var steps = WalkSteps()
            let g = guest.walk(address, intent, start: nil, recorder: &steps)
            var violated = false
            for s in steps.steps where s.fromMemory {
                // The guest entry's guest-physical address goes through the host first.
                guard hostTranslate(s.entryAddress, into: &w, purpose: .guestTable(level: s.level)) else { violated = true; break }
                w.steps.append(.init(kind: .guestEntry(level: s.level), address: s.entryAddress, entry: s.entry))
                w.references += 1
            }
            if !violated && g.fault != .none {
                w.guestFault = g.fault
                return finish(w)
            }
            if !violated {
                guard hostTranslate(g.physical, into: &w, purpose: .data) else {
                    restarts += 1
                    earlier = w.steps
                    if restarts > 8 { return finish(w) }
                    continue
                }
                w.guestPhysical = g.physical
                w.physical = w.lastHostPhysical
                if tlbEntries > 0 {
                    if tlb.count == tlbEntries { tlb.removeFirst() }
                    tlb.append((gvaPage, w.physical >> 12))
                }
                return finish(w)
            }
            restarts += 1
            earlier = w.steps
            if restarts > 8 { return finish(w) }
        }
    }

    func finish(_ w: NestedWalk) -> NestedWalk {
        var w = w
        w.eptViolations = eptViolations - w.eptViolations
        return w
    }

    /// Translates guest-physical `gpa` through the nested TLB or the host table, recording the
    /// host steps; on an EPT violation the host maps the page (`hostPage` aligned) and false
    /// tells the caller to restart.
    mutating func hostTranslate(_ gpa: UInt64, into w: inout NestedWalk, purpose: NestedStep.Purpose) -> Bool {
        let page = gpa >> 12
        if let i = nestedTLB.firstIndex(where: { $0.gpa == page }) {
            let e = nestedTLB.remove(at: i)
            nestedTLB.append(e)
            w.steps.append(.init(kind: .nestedTLBHit(purpose), address: gpa, entry: e.hpa << 12))
            w.lastHostPhysical = e.hpa << 12 | (gpa & 4095)
            return true
        }
        var steps = WalkSteps()
        let h = host.walk(gpa, AccessIntent(.load, user: true), start: nil, recorder: &steps)
        for s in steps.steps where s.fromMemory {
            w.steps.append(.init(kind: .hostEntry(level: s.level, purpose), address: s.entryAddress, entry: s.entry))
            w.references += 1
        }
        guard h.fault == .none else {
            // EPT violation: the host backs the guest-physical page (a host fault), then restart.
            eptViolations += 1
            let base = gpa & ~(hostPage.bytes - 1)
            guard let frame = hostMemory.allocate(order: Int(hostPage.shift) - 12) else { return false }
            _ = try? host.map(VirtualAddress(base), to: PhysicalAddress(frame.rawValue << 12), size: hostPage, flags: .userData, memory: &hostMemory)
            w.steps.append(.init(kind: .eptViolation, address: gpa, entry: 0))
            return false
        }
        w.lastHostPhysical = h.physical
        if nestedTLBEntries > 0 {
            if nestedTLB.count == nestedTLBEntries { nestedTLB.removeFirst() }
            nestedTLB.append((page, h.physical >> 12))
        }
        return true
    }
}

/// A two-dimensional walk: its steps, the entries read from memory, the result.
public struct NestedWalk: Hashable, Sendable {
    /// The guest-virtual address translated.
    public var address: UInt64
    /// The guest-physical and host-physical addresses (valid without a guest fault).
    public var guestPhysical: UInt64 = 0, physical: UInt64 = 0
    /// Entries read from memory: guest entries and host (EPT) entries of the walk that completed.
    public var references = 0
    /// The combined translation came from the TLB.
    public var tlbHit = false
    /// The guest's own page fault, if its table has no translation (`.none` otherwise).
    public var guestFault = TranslationFault.none
    /// EPT violations this translation took (each followed by a restart).
    public var eptViolations = 0
    /// Every step, in order (those of restarted attempts too, before their EPT violation).
    public var steps: [NestedStep] = []
    var lastHostPhysical: UInt64 = 0

    init(address: UInt64) { self.address = address }
}

/// One step of a two-dimensional walk.
public struct NestedStep: Hashable, Sendable {
    /// What a host translation was for.
    public enum Purpose: Hashable, Sendable {
        /// The guest table page of this level (whose entry is read next).
        case guestTable(level: Int)
        /// The data page the guest walk ended at.
        case data
    }
    /// What happened.
    public enum Kind: Hashable, Sendable {
        /// An EPT entry read (host level, 0 = root).
        case hostEntry(level: Int, Purpose)
        /// The nested TLB had the guest-physical page.
        case nestedTLBHit(Purpose)
        /// A guest entry read (guest level, 0 = root), at a guest-physical address.
        case guestEntry(level: Int)
        /// The host had no mapping for a guest-physical page: it maps one and the walk restarts.
        case eptViolation
    }
    public var kind: Kind
    /// The entry's address (host-physical for host entries, guest-physical for guest entries and
    /// violations).
    public var address: UInt64
    /// The entry read (or, for a nested TLB hit, the host-physical page).
    public var entry: UInt64
}
