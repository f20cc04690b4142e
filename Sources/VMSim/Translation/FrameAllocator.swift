/// Where page tables take their pages from: `FrameAllocator` for the translation-only MMU, the
/// kernel's buddy allocator (`PhysicalMemory`) for the processes of `vmsim run`, so that table
/// pages show in buddyinfo and VmPTE and can fail like any allocation.
public protocol FrameSource {
    /// The size of one frame (the page tables' base page).
    var frameSize: PageSize { get }
    /// A naturally aligned block of `1 << order` frames, or `nil` when none is free.
    mutating func allocate(order: Int) -> FrameNumber?
    /// Returns a block from `allocate(order:)`.
    mutating func free(_ frame: FrameNumber, order: Int)
}

/// The simulated physical memory that page tables and mapped pages come from: a range of page
/// frames handed out in address order, with freed blocks reused first.
///
/// It is deliberately simple (a bump pointer, a free list per block order, larger free blocks split
/// on demand, no merging); the kernel's buddy allocator belongs to `Physical/`. Blocks are naturally
/// aligned, as huge pages need.
///
///     var memory = FrameAllocator(bytes: 1 << 30)     // 1 GiB from frame 0x100 (1 MiB) up
///     let f = memory.allocate(order: 9)               // a 2 MiB-aligned block of 512 frames
public struct FrameAllocator: FrameSource, Sendable {
    /// The first frame handed out. The first megabyte is left alone, as on a PC (firmware, BIOS).
    public let firstFrame: UInt64
    /// One past the last frame.
    public let endFrame: UInt64
    /// The base page size (frames are this big).
    public let frameSize: PageSize
    @usableFromInline var next: UInt64
    @usableFromInline var free: [ContiguousArray<UInt64>]
    /// Frames currently allocated.
    public private(set) var allocatedFrames: UInt64 = 0
    /// The most frames allocated at once.
    public private(set) var peakFrames: UInt64 = 0

    /// A memory of `bytes` bytes of `frameSize` frames, the first `reservedBytes` left unused.
    /// - Complexity: O(1).
    public init(bytes: UInt64, frameSize: PageSize = .base4K, reservedBytes: UInt64 = 1 << 20) {
        self.frameSize = frameSize
        firstFrame = reservedBytes >> UInt64(frameSize.shift)
        endFrame = max(firstFrame, bytes >> UInt64(frameSize.shift))
        next = firstFrame
        free = Array(repeating: [], count: 64)
    }

    /// Frames in the memory (allocated or not).
    public var totalFrames: UInt64 { endFrame - firstFrame }

    /// A block of `1 << order` frames aligned to its size, or `nil` when the memory is exhausted.
    /// - Complexity: O(orders).
    public mutating func allocate(order: Int) -> FrameNumber? {
        precondition(order >= 0 && order < 40)
        let count = UInt64(1) << UInt64(order)
        var frame: UInt64
        if let reused = free[order].popLast() {
            frame = reused
        } else if let larger = (order + 1..<free.count).first(where: { !free[$0].isEmpty }) {
            // Split a larger free block, keeping the lowest part and freeing the upper halves
            // (the buddy allocator's expand()).
            frame = free[larger].removeLast()
            var high = larger
            while high > order {
                high -= 1
                free[high].append(frame + (UInt64(1) << UInt64(high)))
            }
        } else {
            let aligned = (next + count - 1) & ~(count - 1)
            guard aligned < endFrame, endFrame - aligned >= count else { return nil }
            // Hand the frames skipped by the alignment back as the largest aligned blocks.
            var f = next
            while f < aligned {
                var o = min(f.trailingZeroBitCount, 63 - (aligned - f).leadingZeroBitCount)
                o = min(o, free.count - 1)
                free[o].append(f)
                f += UInt64(1) << UInt64(o)
            }
            frame = aligned
            next = aligned + count
        }
        allocatedFrames += count
        peakFrames = max(peakFrames, allocatedFrames)
        return FrameNumber(frame)
    }

    /// Returns a block from `allocate(order:)`.
    /// - Complexity: O(1) amortized.
    public mutating func free(_ frame: FrameNumber, order: Int) {
        free[order].append(frame.rawValue)
        allocatedFrames -= UInt64(1) << UInt64(order)
    }
}
