/// The contract every `ReplacementPolicy` keeps, checked reference by reference: the invariant
/// convention (`InvariantChecking`) for policies, whatever their internal structure.
///
/// The contract (see `ReferenceResult`): resident pages sit in numbered slots `0..<frames`; a hit
/// names the slot its page is in; a fill takes the next empty slot, in order, and only while a
/// slot is empty; an eviction happens only when every slot is full, takes the slot of the page it
/// names as the victim, and the victim leaves. A policy that breaks it would make
/// `PagingSimulation`'s per-frame dirty bits (and every count) wrong.
///
///     var checked = PolicyContract(ARCPolicy(frames: 64))
///     for page in trace { _ = checked.reference(page, nextUse: PageAccess.unknown) }
///     checked.checkInvariants()     // []
public struct PolicyContract<Policy: ReplacementPolicy>: InvariantChecking {
    public private(set) var policy: Policy
    private var pageIn: [UInt64?] = []
    private var slotOf: [UInt64: Int32] = [:]
    private var violations = Violations()
    private var references = 0

    public init(_ policy: Policy) { self.policy = policy }

    /// References `page` through the policy and checks what it did.
    /// - Complexity: the policy's cost plus O(1) expected.
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let r = policy.reference(page, nextUse: nextUse)
        references += 1
        let n = references
        let slot = Int(r.slot)
        guard slot >= 0 && slot < policy.frames else {
            violations.report("reference \(n) (page \(page)): slot \(slot) is outside 0..<\(policy.frames)")
            return r
        }
        switch r.event {
        case .hit:
            violations.check(slotOf[page] == r.slot, "reference \(n): a hit on page \(page) in slot \(slot), where it is not")
        case .fill:
            violations.check(slotOf[page] == nil, "reference \(n): a fill for page \(page), which is resident")
            violations.check(slot == pageIn.count, "reference \(n): a fill into slot \(slot), not the next empty one (\(pageIn.count))")
            if slot == pageIn.count {
                pageIn.append(page)
                slotOf[page] = r.slot
            }
        case .evict:
            violations.check(slotOf[page] == nil, "reference \(n): an eviction for page \(page), which is resident")
            violations.check(pageIn.count == policy.frames, "reference \(n): an eviction with \(policy.frames - pageIn.count) slots empty")
            if slot < pageIn.count, let victim = pageIn[slot] {
                violations.check(victim == r.victim, "reference \(n): evicts page \(r.victim) from slot \(slot), which holds page \(victim)")
                slotOf[victim] = nil
                pageIn[slot] = page
                slotOf[page] = r.slot
            } else {
                violations.report("reference \(n): evicts from slot \(slot), which is empty")
            }
        }
        return r
    }

    /// Everything the policy did against the contract so far (the first 20 breaches).
    /// - Complexity: O(1).
    public func checkInvariants() -> [String] { violations.all }
}
