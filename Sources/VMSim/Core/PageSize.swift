/// A page size: a power of two number of bytes, at least 1.
///
///     let size = PageSize(parsing: "4K")!   // 4096 bytes, shift 12
///     size.pageNumber(of: 0x1234_5678)      // 0x12345
public struct PageSize: Hashable, Sendable, CustomStringConvertible {
    /// log2 of the size in bytes.
    public let shift: UInt8

    /// The 4 KiB base page of x86-64, arm64 and RISC-V.
    public static let base4K = PageSize(shift: 12)
    /// The 2 MiB huge page (x86-64 PMD level).
    public static let huge2M = PageSize(shift: 21)
    /// The 1 GiB huge page (x86-64 PUD level).
    public static let huge1G = PageSize(shift: 30)

    /// A page size of `1 << shift` bytes; `shift` must be below 64.
    public init(shift: UInt8) {
        precondition(shift < 64, "page shift must be below 64")
        self.shift = shift
    }

    /// A page size of `bytes` bytes, or `nil` unless `bytes` is a power of two.
    public init?(bytes: UInt64) {
        guard bytes > 0, bytes & (bytes - 1) == 0 else { return nil }
        self.init(shift: UInt8(bytes.trailingZeroBitCount))
    }

    /// Parses `4096`, `4K`, `2M`, `1G`; `nil` unless the size is a power of two.
    /// - Complexity: O(n) in the length of `text`.
    public init?(parsing text: String) {
        guard let bytes = ByteSize.parse(text) else { return nil }
        self.init(bytes: bytes)
    }

    /// The size in bytes.
    public var bytes: UInt64 { 1 << UInt64(shift) }

    /// The page number holding byte address `address`.
    /// - Complexity: O(1).
    @inlinable
    public func pageNumber(of address: UInt64) -> UInt64 { address >> UInt64(shift) }

    /// The offset of `address` within its page.
    /// - Complexity: O(1).
    @inlinable
    public func offset(of address: UInt64) -> UInt64 { address & (bytes - 1) }

    /// The size with its largest exact binary unit: `4K`, `2M`.
    /// - Complexity: O(1).
    public var description: String { ByteSize.format(bytes) }
}
