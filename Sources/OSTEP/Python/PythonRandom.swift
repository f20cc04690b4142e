/// CPython's `random` module (the `random.Random` class of Python 3.11), bit for bit: the MT19937
/// Mersenne Twister of `Modules/_randommodule.c`, its seeding of an integer, and the methods of
/// `Lib/random.py` that the OSTEP homework simulators (and courses' variants of them) call.
///
///     var rng = PythonRandom(seed: 0)
///     rng.random()          // 0.8444218515250481, as `random.seed(0); random.random()`
///     rng.randint(1, 6)     // as `random.randint(1, 6)` after that
///
/// Seeding follows `random.seed(n)` for an integer `n` (`version` does not matter for integers):
/// the key is the 32-bit words of `abs(n)`, least significant first (one zero word for 0), fed to
/// MT19937's `init_by_array`.
public struct PythonRandom: Sendable {
    @usableFromInline static let n = 624
    @usableFromInline static let m = 397

    @usableFromInline var state: ContiguousArray<UInt32>
    @usableFromInline var index: Int

    /// A generator seeded as `random.seed(seed)` seeds Python's.
    /// - Complexity: O(624 + the number of 32-bit words of `seed`).
    public init(seed: PythonInt) {
        state = ContiguousArray(repeating: 0, count: Self.n)
        index = Self.n
        let words = seed.magnitude.isEmpty ? [0] : seed.magnitude
        initByArray(words)
    }

    /// A generator seeded as `random.seed(seed)` seeds Python's.
    /// - Complexity: O(624).
    public init(seed: Int) {
        self.init(seed: PythonInt(seed))
    }

    /// `init_genrand(19650218)` then `init_by_array(key)`.
    mutating func initByArray(_ key: [UInt32]) {
        let n = Self.n
        state[0] = 19_650_218
        for i in 1..<n {
            let p = state[i - 1]
            state[i] = 1_812_433_253 &* (p ^ (p >> 30)) &+ UInt32(i)
        }
        index = n
        var i = 1
        var j = 0
        var k = max(n, key.count)
        while k > 0 {
            let p = state[i - 1]
            state[i] = (state[i] ^ ((p ^ (p >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(truncatingIfNeeded: j)
            i += 1
            j += 1
            if i >= n { state[0] = state[n - 1]; i = 1 }
            if j >= key.count { j = 0 }
            k -= 1
        }
        k = n - 1
        while k > 0 {
            let p = state[i - 1]
            state[i] = (state[i] ^ ((p ^ (p >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= n { state[0] = state[n - 1]; i = 1 }
            k -= 1
        }
        state[0] = 0x8000_0000
    }

    /// Regenerates the 624 words of state (the "twist").
    @usableFromInline
    @inline(never)
    mutating func twist() {
        let n = Self.n, m = Self.m
        state.withUnsafeMutableBufferPointer { mt in
            @inline(__always) func mix(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
                let y = (a & 0x8000_0000) | (b & 0x7FFF_FFFF)
                return c ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
            }
            for kk in 0..<(n - m) { mt[kk] = mix(mt[kk], mt[kk + 1], mt[kk + m]) }
            for kk in (n - m)..<(n - 1) { mt[kk] = mix(mt[kk], mt[kk + 1], mt[kk + m - n]) }
            mt[n - 1] = mix(mt[n - 1], mt[0], mt[m - 1])
        }
        index = 0
    }

    /// The next 32 bits of MT19937 (`genrand_uint32`).
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func nextUInt32() -> UInt32 {
        if index >= Self.n { twist() }
        var y = state[index]
        index &+= 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `random.random()`: a float in [0, 1) with 53 random bits, from two draws.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func random() -> Double {
        let a = Double(nextUInt32() >> 5)
        let b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random.getrandbits(k)` for `0 <= k <= 64`: 32-bit draws, least significant word first, the
    /// last one shifted right to keep its top bits.
    /// - Complexity: O(k / 32).
    public mutating func getrandbits(_ k: Int) -> UInt64 {
        precondition((0...64).contains(k), "getrandbits(k) is ported for 0 <= k <= 64")
        if k == 0 { return 0 }
        if k <= 32 { return UInt64(nextUInt32() >> (32 - UInt32(k))) }
        let low = UInt64(nextUInt32())
        let high = UInt64(nextUInt32() >> (64 - UInt32(k)))
        return high << 32 | low
    }

    /// `Random._randbelow(n)` (`_randbelow_with_getrandbits`): `getrandbits(n.bit_length())` until the
    /// draw is below `n`. Returns 0 for `n <= 0`, as Python's does for 0.
    /// - Complexity: O(1) expected (fewer than 2 draws on average).
    public mutating func randbelow(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = getrandbits(k)
        while r >= UInt64(n) { r = getrandbits(k) }
        return Int(r)
    }

    /// `random.randrange(start, stop, step)`, or `nil` where Python raises `ValueError` (an empty
    /// range or a zero step) and where the range does not fit in 64 bits.
    /// - Complexity: O(1) expected.
    public mutating func randrange(_ start: Int, _ stop: Int, step: Int = 1) -> Int? {
        let (width, overflow) = stop.subtractingReportingOverflow(start)
        guard !overflow else { return nil }
        if step == 1 {
            return width > 0 ? start + randbelow(width) : nil
        }
        guard step != 0 else { return nil }
        // Python's n = (width + step - 1) // step (or + 1 for a negative step), the ceiling of
        // width / step, computed without overflow.
        let quotient = step > 0 ? (width > 0 ? (width - 1) / step : -1) : (width < 0 ? (width + 1) / step : -1)
        let (n, nOverflow) = quotient.addingReportingOverflow(1)
        guard !nOverflow, n > 0 else { return nil }
        return start &+ step &* randbelow(n)
    }

    /// `random.randrange(stop)`, or `nil` for `stop <= 0` (Python's `ValueError`).
    /// - Complexity: O(1) expected.
    public mutating func randrange(_ stop: Int) -> Int? {
        stop > 0 ? randbelow(stop) : nil
    }

    /// `random.randint(a, b)`: `randrange(a, b + 1)`; `nil` when `b < a`.
    /// - Complexity: O(1) expected.
    public mutating func randint(_ a: Int, _ b: Int) -> Int? {
        guard b < Int.max else { return nil }
        return randrange(a, b + 1)
    }

    /// `random.choice(seq)`, or `nil` for an empty collection (Python's `IndexError`).
    /// - Complexity: O(1) expected for random-access collections.
    public mutating func choice<C: RandomAccessCollection>(_ seq: C) -> C.Element? {
        guard !seq.isEmpty else { return nil }
        return seq[seq.index(seq.startIndex, offsetBy: randbelow(seq.count))]
    }

    /// `random.shuffle(x)`: Fisher-Yates from the end, `j = _randbelow(i + 1)`.
    /// - Complexity: O(x.count).
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ x: inout C) {
        var i = x.count - 1
        while i >= 1 {
            let j = randbelow(i + 1)
            x.swapAt(x.index(x.startIndex, offsetBy: i), x.index(x.startIndex, offsetBy: j))
            i -= 1
        }
    }
}

/// Python's `//` on integers: the quotient rounded toward negative infinity. `b` must not be 0.
@inlinable
func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
}

/// Python's `%` on integers: the remainder takes the sign of the divisor. `b` must not be 0.
@inlinable
func floorModulo(_ a: Int, _ b: Int) -> Int {
    let r = a % b
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r
}
