/// A virtual address. A thin wrapper so that virtual and physical addresses cannot be mixed up.
public struct VirtualAddress: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address as a number.
    public var rawValue: UInt64
    /// The address `rawValue`.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// The address `value`.
    @inlinable public init(_ value: UInt64) { self.rawValue = value }
    /// Orders addresses numerically.
    /// - Complexity: O(1).
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The address in hexadecimal, `0x` first.
    public var description: String { "0x" + String(rawValue, radix: 16) }
}

/// A physical address.
public struct PhysicalAddress: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address as a number.
    public var rawValue: UInt64
    /// The address `rawValue`.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// The address `value`.
    @inlinable public init(_ value: UInt64) { self.rawValue = value }
    /// Orders addresses numerically.
    /// - Complexity: O(1).
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The address in hexadecimal, `0x` first.
    public var description: String { "0x" + String(rawValue, radix: 16) }
}

/// A physical page frame number (the kernel's pfn).
public struct FrameNumber: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The frame number as a number.
    public var rawValue: UInt64
    /// The frame `rawValue`.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// The frame `value`.
    @inlinable public init(_ value: UInt64) { self.rawValue = value }
    /// Orders frames numerically.
    /// - Complexity: O(1).
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The frame number in decimal.
    public var description: String { String(rawValue) }
}
