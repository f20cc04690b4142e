/// Why a specification written as text (a policy name, a list of memory sizes, a sampling method, a
/// heap model option) was not accepted. The message names the value and what was expected, in words
/// that do not depend on the front end (no command-line flags), so a tool can put its own context
/// in front of it.
public struct SpecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message: the value refused and what was expected.
    public var description: String
    /// The field of an options value the error is about (`HeapModel.Options.alignment` is
    /// `"alignment"`), when it is about one, so that a front end can name its own spelling of it.
    public var field: String?

    /// An error with the message `description`, about `field` if given.
    public init(_ description: String, field: String? = nil) {
        self.description = description
        self.field = field
    }
}

/// Splitting of comma-separated specification lists (`"fifo,lru"`, `"16, 64,256"`).
public enum SpecList {
    /// The non-empty items of `values`, each split at commas and trimmed of spaces and tabs.
    ///
    ///     SpecList.items(["fifo,lru", " opt "])   // ["fifo", "lru", "opt"]
    ///
    /// - Complexity: O(n) in the total length of the strings.
    public static func items(_ values: some Sequence<String>) -> [String] {
        values.flatMap { value in
            value.split(separator: ",", omittingEmptySubsequences: true).compactMap { item -> String? in
                let trimmed = trim(item)
                return trimmed.isEmpty ? nil : String(trimmed)
            }
        }
    }

    /// `text` without leading and trailing white space.
    /// - Complexity: O(n).
    public static func trim(_ text: Substring) -> Substring {
        var s = text
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return s
    }
}

/// Memory sizes in page frames, as the paging simulators take them.
public enum FrameCount {
    /// The largest memory VMSim simulates, in frames (slot numbers are 32-bit, two values reserved).
    public static let limit = 1 << 31 - 2

    /// Checks one memory size.
    /// - Complexity: O(1).
    public static func validate(_ frames: Int) throws(SpecError) {
        guard frames > 0 else { throw SpecError("\(frames) page frames: a memory needs at least 1 page frame") }
        guard frames <= limit else {
            throw SpecError("\(frames) page frames is more than VMSim simulates (at most \(limit) frames)")
        }
    }

    /// Parses memory sizes such as `["16,64", "256"]`: positive whole numbers of frames, duplicates
    /// dropped, in the order given.
    ///
    ///     try FrameCount.parseList(["3,4", "4"])   // [3, 4]
    ///
    /// - Complexity: O(n) expected in the total length of the strings.
    public static func parseList(_ values: some Sequence<String>) throws(SpecError) -> [Int] {
        let items = SpecList.items(values)
        guard !items.isEmpty else { throw SpecError("no memory size given") }
        var frames: [Int] = []
        var seen = Set<Int>()
        for item in items {
            guard let n = Int(item), n >= 0 else {
                throw SpecError("memory sizes are positive whole numbers of page frames; '\(item)' is not one")
            }
            try validate(n)
            if seen.insert(n).inserted { frames.append(n) }
        }
        return frames
    }
}
