import VMSim

/// A problem with a trace file: where it is and what was expected.
///
/// Printed as `FILE:LINE: message` for text formats, `FILE: byte N: message` for binary ones,
/// and `FILE: message` when the problem has no position (an unreadable file, a missing program).
public struct TraceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where in the file the problem is.
    public enum Location: Hashable, Sendable {
        /// No position: the file as a whole.
        case none
        /// A 1-based line number.
        case line(Int)
        /// A 0-based byte offset.
        case byte(UInt64)
    }

    /// The file as the user named it (`<stdin>` for standard input).
    public var file: String
    /// Where in the file.
    public var location: Location
    /// What was expected, or what went wrong.
    public var message: String

    /// An error in `file` at `location`.
    public init(file: String, location: Location = .none, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    /// `FILE:LINE: message`, `FILE: byte N: message` or `FILE: message`.
    public var description: String {
        switch location {
        case .none: "\(file): \(message)"
        case .line(let n): "\(file):\(n): \(message)"
        case .byte(let offset): "\(file): byte \(offset): \(message)"
        }
    }
}
