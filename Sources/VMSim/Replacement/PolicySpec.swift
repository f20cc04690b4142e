/// The replacement policies `vmsim paging` offers, by name.
public enum PolicyKind: String, CaseIterable, Sendable {
    case fifo, lru, mru, random, clock, opt
    case arc, car, twoQ = "2q", lirs, clockPro = "clock-pro", lfu, lruK = "lru-k", s3fifo = "s3-fifo", sieve
    case wsclock, nru, aging
    case linux2List = "linux-2list", mglru

    /// A one-line description for `--help` and error messages.
    public var summary: String {
        switch self {
        case .fifo: "first in, first out"
        case .lru: "least recently used"
        case .mru: "most recently used"
        case .random: "uniformly random victim (seeded)"
        case .clock: "CLOCK with a reference bit; clock:N uses an N-bit counter (1-8)"
        case .opt: "Belady's optimal: evicts the page used furthest ahead (next uses from oracle-general, else a pre-pass)"
        case .arc: "ARC, adaptive replacement cache (Megiddo & Modha 2003)"
        case .twoQ: "2Q, full version: A1in FIFO, Am LRU, A1out ghosts (Johnson & Shasha 1994)"
        case .s3fifo: "S3-FIFO: small, main and ghost FIFO queues (Yang et al. 2023)"
        case .sieve: "SIEVE: FIFO queue with visited bits and a hand that stays put (Zhang et al. 2024)"
        case .lfu: "least frequently used since loaded; ties go to the least recently used"
        case .car: "CAR, clock with adaptive replacement (Bansal & Modha 2004)"
        case .wsclock: "WSClock: working set by clock; wsclock:TAU sets the window in references (default 10000)"
        case .nru: "not recently used: random page of the lowest (R, M) class; nru:N clears R every N references (default: frames)"
        case .aging: "aging: 8-bit counters shifted every N references (aging:N, default: frames); lowest evicted"
        case .linux2List: "Linux's active/inactive lists: second access activates, inactive_is_low balancing, inactive tail rotation"
        case .mglru: "Linux's multi-generational LRU, 4 generations, aging and eviction as in mm/vmscan.c (simplified)"
        case .lirs: "LIRS: low inter-reference recency set, 1% of frames for HIR pages (Jiang & Zhang 2002)"
        case .clockPro: "CLOCK-Pro: hot and cold pages and test periods on one clock, three hands (Jiang et al. 2005)"
        case .lruK: "LRU-K with K = 2: evicts the oldest second-to-last reference; once-referenced pages first, FIFO"
        }
    }

    /// The parameter the policy accepts after a colon, with its valid range, if any.
    var parameterRange: ClosedRange<Int>? {
        switch self {
        case .clock: 1...8
        case .wsclock, .nru, .aging: 1...Int(Int32.max)
        default: nil
        }
    }

    /// The parameter's value when none is given (`nil`: it depends on the memory size).
    var defaultParameter: Int? {
        switch self {
        case .clock: 1
        case .wsclock: WSClockPolicy.defaultWindow
        default: nil
        }
    }
}

/// A policy with its parameter, as written on the command line: `lru`, `clock`, `clock:2`; or a
/// policy from outside the package, registered with `PolicyRegistry`.
public struct PolicySpec: Hashable, Sendable, CustomStringConvertible {
    /// The built-in policy, or `nil` for a registered one (`registered`).
    public var kind: PolicyKind? {
        if case .builtIn(let k) = identity { k } else { nil }
    }
    /// The policy registered from outside the package, if this is one.
    public var registered: RegisteredPolicy? {
        if case .registered(let r) = identity { r } else { nil }
    }
    /// The parameter after the colon (`clock:N` bits, `wsclock:TAU`, `nru:N`, `aging:N`), when given.
    public var parameter: Int?

    enum Identity: Hashable, Sendable {
        case builtIn(PolicyKind)
        case registered(RegisteredPolicy)
    }
    let identity: Identity

    /// A built-in policy, with its parameter.
    public init(_ kind: PolicyKind, parameter: Int? = nil) {
        identity = .builtIn(kind)
        self.parameter = parameter
    }

    /// A registered policy, with its parameter.
    public init(_ registered: RegisteredPolicy, parameter: Int? = nil) {
        identity = .registered(registered)
        self.parameter = parameter
    }

    /// Why a policy name was not accepted.
    public typealias ParseError = SpecError

    /// Parses `name` or `name:parameter` (case-insensitive): a built-in policy, else one registered
    /// with `PolicyRegistry`.
    /// - Complexity: O(n) in the length of `text`, plus a registry lookup.
    public init(parsing text: String) throws(SpecError) {
        let parts = text.lowercased().split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts.first ?? "")
        let range: ClosedRange<Int>?
        let canonical: String
        if let kind = PolicyKind(rawValue: name) {
            identity = .builtIn(kind)
            range = kind.parameterRange
            canonical = kind.rawValue
        } else if let registered = PolicyRegistry.lookup(name) {
            identity = .registered(registered)
            range = registered.parameterRange
            canonical = registered.name
        } else {
            throw SpecError("unknown policy '\(text)'; valid policies: "
                + (PolicyKind.allCases.map(\.rawValue) + PolicyRegistry.all.map(\.name)).joined(separator: ", "))
        }
        guard parts.count == 2 else { return }
        guard let range else {
            throw SpecError("policy '\(canonical)' takes no parameter (got '\(text)')")
        }
        guard let value = Int(parts[1]), range.contains(value) else {
            throw SpecError("policy '\(canonical)' takes a parameter in \(range.lowerBound)...\(range.upperBound) (got '\(parts[1])')")
        }
        parameter = value
    }

    /// Parses a list of policy names (`["fifo,lru", "clock:2"]`), duplicates (by canonical
    /// spelling) dropped, in order.
    /// - Complexity: O(n) expected in the total length of the strings, plus a registry lookup
    ///   per name that is not built in.
    public static func parseList(_ values: some Sequence<String>) throws(SpecError) -> [PolicySpec] {
        let names = SpecList.items(values)
        guard !names.isEmpty else { throw SpecError("no policy given") }
        var specs: [PolicySpec] = []
        var seen = Set<String>()
        for name in names {
            let spec = try PolicySpec(parsing: name)
            // `clock:1` and `clock` are one policy: compare canonical spellings.
            if seen.insert(spec.description).inserted { specs.append(spec) }
        }
        return specs
    }

    /// The policy's name without its parameter.
    public var name: String {
        switch identity {
        case .builtIn(let k): k.rawValue
        case .registered(let r): r.name
        }
    }

    /// The canonical spelling: a parameter equal to the default is left out (`clock:1` is `clock`).
    public var description: String {
        guard let parameter, parameter != kind?.defaultParameter else { return name }
        return "\(name):\(parameter)"
    }

    /// Whether this policy needs each access's next use (Belady's oracle).
    public var needsNextUse: Bool {
        switch identity {
        case .builtIn(let k): k == .opt
        case .registered(let r): r.needsNextUse
        }
    }

    /// A simulator of this policy over `frames` frames; `seed` feeds randomised policies.
    /// - Complexity: O(min(frames, 2^16)) to allocate the policy's tables.
    public func makeSimulator(frames: Int, seed: UInt64) -> any BatchSimulator<PageAccess, PagingResult> {
        switch identity {
        case .registered(let r): return r.make(self, frames, seed)
        case .builtIn(let kind): return Self.makeBuiltIn(kind, self, frames: frames, seed: seed)
        }
    }

    static func makeBuiltIn(_ kind: PolicyKind, _ spec: PolicySpec, frames: Int, seed: UInt64) -> any BatchSimulator<PageAccess, PagingResult> {
        let parameter = spec.parameter
        switch kind {
        case .fifo: return PolicySimulator(spec, FIFOPolicy(frames: frames))
        case .lru: return PolicySimulator(spec, LRUPolicy(frames: frames))
        case .mru: return PolicySimulator(spec, MRUPolicy(frames: frames))
        case .random: return PolicySimulator(spec, RandomPolicy(frames: frames, seed: seed))
        case .clock: return PolicySimulator(spec, ClockPolicy(frames: frames, bits: parameter ?? 1))
        case .opt: return PolicySimulator(spec, OPTPolicy(frames: frames))
        case .arc: return PolicySimulator(spec, ARCPolicy(frames: frames))
        case .twoQ: return PolicySimulator(spec, TwoQPolicy(frames: frames))
        case .s3fifo: return PolicySimulator(spec, S3FIFOPolicy(frames: frames))
        case .sieve: return PolicySimulator(spec, SIEVEPolicy(frames: frames))
        case .lfu: return PolicySimulator(spec, LFUPolicy(frames: frames))
        case .lruK: return PolicySimulator(spec, LRUKPolicy(frames: frames))
        case .lirs: return PolicySimulator(spec, LIRSPolicy(frames: frames))
        case .car: return PolicySimulator(spec, CARPolicy(frames: frames))
        case .wsclock: return PolicySimulator(spec, WSClockPolicy(frames: frames, window: parameter ?? WSClockPolicy.defaultWindow))
        case .nru: return PolicySimulator(spec, NRUPolicy(frames: frames, interval: parameter, seed: seed))
        case .aging: return PolicySimulator(spec, AgingPolicy(frames: frames, interval: parameter))
        case .linux2List: return PolicySimulator(spec, Linux2ListPolicy(frames: frames))
        case .mglru: return PolicySimulator(spec, MGLRUPolicy(frames: frames))
        case .clockPro: return PolicySimulator(spec, ClockProPolicy(frames: frames))
        }
    }
}
