/// One translation explained: what was asked, the outcome, and every step the walk took, with the
/// exception the hardware raises when it faults.
///
///     var mmu = try MMU<RadixPageTable>(format: .x86_64, tlb: .none, walkCache: .none,
///                                       memory: FrameAllocator(bytes: 1 << 30))
///     try mmu.map(VirtualAddress(0x8080604000), to: PhysicalAddress(0x123456000), size: .base4K,
///                 flags: [.read, .write, .user])
///     let e = mmu.explain(0x8080604567, AccessIntent(.store, user: true))
///     e.result.physical        // 0x123456567
///     e.steps.count            // 4: PML4, PDPT, PD, PT
public struct ExplainedTranslation: Hashable, Sendable {
    public var address: UInt64
    public var intent: AccessIntent
    public var result: WalkResult
    public var steps: [WalkStep]

    public init(address: UInt64, intent: AccessIntent, result: WalkResult, steps: [WalkStep]) {
        self.address = address
        self.intent = intent
        self.result = result
        self.steps = steps
    }

    /// The x86 page-fault error code pushed with #PF (arch/x86/mm/fault.c `X86_PF_*`: P, W/R, U/S,
    /// RSVD, I/D), for a walk of `format` that faulted.
    /// - Complexity: O(1).
    public func errorCode(format: PageTableFormat) -> UInt64 {
        var code: UInt64 = 0
        switch result.fault {
        case .protection: code |= 1
        case .reserved, .misaligned: code |= 1 | 8
        default: break
        }
        if intent.kind == .store { code |= 2 }
        if intent.user { code |= 4 }
        if intent.kind == .instruction && format.bits.noExecute != 0 { code |= 16 }
        return code
    }

    /// The RISC-V exception cause (`scause`) of a page fault for this access: 12 instruction,
    /// 13 load, 15 store/AMO.
    /// - Complexity: O(1).
    public var scause: Int {
        switch intent.kind {
        case .instruction: 12
        case .load: 13
        case .store: 15
        }
    }
}

extension MMU {
    /// Translates like hardware would but records every step of the walk (no TLB involved), for
    /// explanations. Sets accessed/dirty bits like a real walk.
    /// - Complexity: O(levels).
    public mutating func explain(_ address: UInt64, _ intent: AccessIntent) -> ExplainedTranslation {
        var steps = WalkSteps()
        let r = _spaces[current].walk(address, intent, start: nil, recorder: &steps)
        return ExplainedTranslation(address: address, intent: intent, result: r, steps: steps.steps)
    }
}
