import Testing
@testable import VMSim

/// Two-dimensional walks against the published cost: (n + 1)(m + 1) - 1 memory references for an
/// n-level guest over an m-level host (Bhargava et al., ASPLOS 2008: 24 for 4 on 4; 35 for 5 on 5),
/// m - 1 host levels with 2M host pages (19), fewer with the nested TLB, none on a TLB hit.
@Suite("Nested paging: the 2D walk")
struct NestedPagingTests {
    let va: UInt64 = 0x7fff_1234_5000, gpa: UInt64 = 0x4000_0000

    func cold(_ guest: PageTableFormat, _ host: PageTableFormat, hostPage: PageSize = .base4K, nestedTLB: Int = 0) throws -> (NestedMMU, NestedWalk) {
        var n = try NestedMMU(guest: guest, host: host, hostPage: hostPage, nestedTLBEntries: nestedTLB)
        try n.mapGuest(va, to: gpa, size: .base4K, flags: .userData)
        let first = n.translate(va + 0xabc, AccessIntent(.load))
        #expect(first.guestFault == .none && first.eptViolations > 0)
        n.flushTLBs()   // EPT populated, caches cold
        return (n, n.translate(va + 0xabc, AccessIntent(.load)))
    }

    @Test func fourOnFourIs24() throws {
        let (_, w) = try cold(.x86_64, .x86_64)
        #expect(w.references == 24 && w.eptViolations == 0)
        #expect(w.guestPhysical == gpa + 0xabc && w.physical & 4095 == 0xabc)
        #expect(w.steps.filter { if case .guestEntry = $0.kind { return true }; return false }.count == 4)
    }

    @Test func fiveOnFiveIs35() throws {
        let la57 = PageTableFormat.named("la57")!
        let (_, w) = try cold(la57, la57)
        #expect(w.references == 35)
    }

    @Test func twoMegabyteHostPagesMake19() throws {
        let (_, w) = try cold(.x86_64, .x86_64, hostPage: .huge2M)
        #expect(w.references == 19)
    }

    @Test func eptViolationsAreHostFaultsPerHostPage() throws {
        var n = try NestedMMU(guest: .x86_64, host: .x86_64)
        try n.mapGuest(va, to: gpa, size: .base4K, flags: .userData)
        // Four guest table pages and the data page, each its own 4K host page.
        #expect(n.translate(va, AccessIntent(.load)).eptViolations == 5)
        var h = try NestedMMU(guest: .x86_64, host: .x86_64, hostPage: .huge2M)
        try h.mapGuest(va, to: gpa, size: .base4K, flags: .userData)
        // The table pages share one 2M host page; the data is in another.
        #expect(h.translate(va, AccessIntent(.load)).eptViolations == 2)
    }

    @Test func aWarmNestedTLBLeavesTheGuestEntries() throws {
        var (n, w) = try cold(.x86_64, .x86_64, nestedTLB: 16)
        #expect(w.references == 24)
        n.flushTLBs()
        _ = n.translate(va, AccessIntent(.load))
        // Flush only the combined TLB: every host walk now hits the nested TLB.
        n.tlb.removeAll()
        let warm = n.translate(va, AccessIntent(.load))
        #expect(warm.references == 4)
        #expect(n.translate(va, AccessIntent(.load)).references == 0)
        #expect(n.translate(va, AccessIntent(.load)).tlbHit)
    }

    @Test func aGuestFaultIsTheGuestsOwn() throws {
        var n = try NestedMMU(guest: .x86_64, host: .x86_64)
        let w = n.translate(0x1000, AccessIntent(.load))
        #expect(w.guestFault == .notPresent)
    }
}
