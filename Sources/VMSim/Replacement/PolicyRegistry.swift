import Synchronization

/// A replacement policy written outside the package, registered by name so that everything that
/// takes a `PolicySpec` (a `PagingRun`, an `MRCRun` size sweep, `PolicySpec(parsing:)`) can run it
/// beside the built-in ones.
public struct RegisteredPolicy: Hashable, Sendable {
    /// The name it parses from (lower case).
    public let name: String
    /// A one-line description for listings.
    public let summary: String
    /// The range of the parameter after a colon, if the policy takes one.
    public let parameterRange: ClosedRange<Int>?
    /// Whether it needs each access's next use (it is clairvoyant, like OPT).
    public let needsNextUse: Bool
    let make: @Sendable (PolicySpec, Int, UInt64) -> any BatchSimulator<PageAccess, PagingResult>

    /// Registered policies are equal when their names are.
    /// - Complexity: O(n) in the length of the names.
    public static func == (a: Self, b: Self) -> Bool { a.name == b.name }
    /// Hashes the name.
    /// - Complexity: O(n) in the length of the name.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// The policies registered from outside the package, by name.
///
///     struct Newest: ReplacementPolicy { ... }              // in the user's own module
///     let mine = try PolicyRegistry.register(name: "newest", summary: "evicts the newest page") {
///         frames, seed, parameter in Newest(frames: frames)
///     }
///     let run = try PagingRun(policies: [PolicySpec(mine), PolicySpec(.lru)], frames: [64])
///
/// The simulator of a registered policy is built by the same generic initialiser as the built-in
/// ones (`PolicySimulator`), so its per-reference loop is specialised for the user's type.
public enum PolicyRegistry {
    private static let table = Mutex<[String: RegisteredPolicy]>([:])

    /// Registers a policy under `name`, made by `make(frames, seed, parameter)`.
    /// - Throws: `SpecError` if the name is empty, has a colon or a comma, is a built-in policy's,
    ///   or is already registered.
    /// - Complexity: O(1) expected.
    @discardableResult
    public static func register<Policy: ReplacementPolicy>(
        name: String, summary: String, parameterRange: ClosedRange<Int>? = nil,
        make: @escaping @Sendable (_ frames: Int, _ seed: UInt64, _ parameter: Int?) -> Policy
    ) throws(SpecError) -> RegisteredPolicy {
        let key = name.lowercased()
        guard !key.isEmpty, !key.contains(":"), !key.contains(","), !key.contains(where: \.isWhitespace) else {
            throw SpecError("a policy name is one word without ':' or ',' (got '\(name)')")
        }
        guard PolicyKind(rawValue: key) == nil else {
            throw SpecError("'\(key)' is a built-in policy; register under another name")
        }
        let policy = RegisteredPolicy(name: key, summary: summary, parameterRange: parameterRange,
                                      needsNextUse: Policy.needsNextUse) { spec, frames, seed in
            PolicySimulator(spec, make(frames, seed, spec.parameter))
        }
        let added = table.withLock { t -> Bool in
            guard t[key] == nil else { return false }
            t[key] = policy
            return true
        }
        guard added else { throw SpecError("a policy named '\(key)' is already registered") }
        return policy
    }

    /// The registered policy named `name` (case-insensitive).
    /// - Complexity: O(1) expected.
    public static func lookup(_ name: String) -> RegisteredPolicy? {
        let key = name.lowercased()
        return table.withLock { $0[key] }
    }

    /// Every registered policy, by name.
    /// - Complexity: O(r log r) for r registered policies.
    public static var all: [RegisteredPolicy] {
        table.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }
}
