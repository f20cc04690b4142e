/// The zone watermarks (min, low, high, promo) and lowmem reserves, computed as
/// mm/page_alloc.c computes them. Pure functions over page counts so that tests can check them
/// against the formulas for any zone layout.
public enum Watermarks {
    /// The four watermarks of one zone, in pages (`zone->_watermark[]`).
    public struct Levels: Hashable, Sendable {
        /// `WMARK_MIN`: below it only the slow path's callers allocate.
        public var min: Int
        /// `WMARK_LOW`: the fast path's mark; below it kswapd is woken.
        public var low: Int
        /// `WMARK_HIGH`: where kswapd stops reclaiming.
        public var high: Int
        /// `WMARK_PROMO`: the mark for NUMA promotion.
        public var promo: Int
        /// Watermarks of these values.
        public init(min: Int, low: Int, high: Int, promo: Int) {
            self.min = min; self.low = low; self.high = high; self.promo = promo
        }
    }

    /// Which watermark an allocation is checked against (`ALLOC_WMARK_*`).
    public enum Mark: Int, Sendable {
        /// `ALLOC_WMARK_MIN`, `ALLOC_WMARK_LOW`, `ALLOC_WMARK_HIGH`.
        case min = 0, low = 1, high = 2
    }

    /// `int_sqrt()` of lib/math/int_sqrt.c: the floor of the square root.
    /// - Complexity: O(log n).
    public static func intSqrt(_ x: UInt64) -> UInt64 {
        if x <= 1 { return x }
        var m: UInt64 = 1 << ((63 - UInt64(x.leadingZeroBitCount)) & ~1)
        var y: UInt64 = 0
        var x = x
        while m != 0 {
            let b = y + m
            y >>= 1
            if x >= b {
                x -= b
                y += m
            }
            m >>= 2
        }
        return y
    }

    /// `calculate_min_free_kbytes()`: `clamp(int_sqrt(lowmem_kbytes * 16), 128, 262144)`, where
    /// lowmem is the managed memory of every zone up to Normal (`nr_free_buffer_pages()` at boot,
    /// before any watermark is set).
    /// - Complexity: O(1).
    public static func minFreeKbytes(lowmemPages: Int, pageSize: Int = 4096) -> Int {
        let kbytes = UInt64(lowmemPages) * UInt64(pageSize >> 10)
        let value = Int(intSqrt(kbytes * 16))
        return Swift.min(Swift.max(value, 128), 262_144)
    }

    /// `mult_frac(x, n, d)`: `x * n / d` computed without overflowing.
    @inlinable
    static func multFrac(_ x: Int, _ n: Int, _ d: Int) -> Int {
        (x / d) * n + (x % d) * n / d
    }

    /// `__setup_per_zone_wmarks()` for one zone: `min = pages_min * managed / lowmem_pages` with
    /// `pages_min = min_free_kbytes >> (PAGE_SHIFT - 10)`; then
    /// `step = max(min >> 2, managed * watermark_scale_factor / 10000)`, `low = min + step`,
    /// `high = low + step`, `promo = high + step`.
    /// - Complexity: O(1).
    public static func levels(managed: Int, lowmemPages: Int, minFreeKbytes: Int, scaleFactor: Int,
                              pageShift: Int = 12) -> Levels {
        guard managed > 0, lowmemPages > 0 else { return Levels(min: 0, low: 0, high: 0, promo: 0) }
        let pagesMin = UInt64(minFreeKbytes >> (pageShift - 10))
        let min = Int(pagesMin * UInt64(managed) / UInt64(lowmemPages))
        let step = Swift.max(min >> 2, multFrac(managed, scaleFactor, 10_000))
        return Levels(min: min, low: min + step, high: min + 2 * step, promo: min + 3 * step)
    }

    /// `setup_per_zone_lowmem_reserve()`: `lowmem_reserve[j]` of zone `i` is the managed pages of
    /// zones `i+1 ... j` divided by `sysctl_lowmem_reserve_ratio[i]`, or 0 when the ratio is 0 or
    /// zone `i` is empty. `managed` has one entry per `ZoneType` (0 for an empty zone).
    /// - Complexity: O(MAX_NR_ZONES²).
    public static func lowmemReserve(managed: [Int]) -> [[Int]] {
        let n = ZoneType.count
        var reserve = Array(repeating: Array(repeating: 0, count: n), count: n)
        for i in 0..<(n - 1) {
            let ratio = ZoneType(rawValue: i)!.lowmemReserveRatio
            let clear = ratio == 0 || managed[i] == 0
            var upper = 0
            for j in (i + 1)..<n {
                upper += managed[j]
                reserve[i][j] = clear ? 0 : upper / ratio
            }
        }
        return reserve
    }
}
