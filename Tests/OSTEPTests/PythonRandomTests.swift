import Testing
@testable import OSTEP

/// Expected values printed by CPython 3.11:
/// `random.seed(s); [random.random() for _ in range(3)]; [random.getrandbits(32) for _ in range(2)];
/// [random.getrandbits(k) for k in (1, 7, 33, 64)]; [random.randint(1, 6) for _ in range(3)];
/// [random.randrange(0, 100, 7), random.randrange(10), random.randrange(-5, 5), random.randrange(20, 0, -3)];
/// random.choice('abcdefg'); x = list(range(10)); random.shuffle(x)`, in that order on one generator.
struct PythonRandomTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var seed: String
        var random: [Double]
        var bits32: [UInt64]
        var bitsK: [UInt64]
        var randint: [Int]
        var randrange: [Int]
        var choice: Character
        var shuffled: [Int]
        var testDescription: String { "seed \(seed)" }
    }

    static let cases: [Expected] = [
        Expected(seed: "0", random: [0.8444218515250481, 0.7579544029403025, 0.420571580830845],
                 bits32: [1112038970, 4146640122], bitsK: [1, 62, 6034146168, 15308084094301570617],
                 randint: [3, 4, 3], randrange: [63, 3, 3, 17], choice: "c", shuffled: [9, 0, 3, 8, 6, 5, 7, 4, 1, 2]),
        Expected(seed: "1", random: [0.13436424411240122, 0.8474337369372327, 0.763774618976614],
                 bits32: [1095513148, 506456969], bitsK: [0, 97, 1930549411, 7002664860023442459],
                 randint: [2, 1, 4], randrange: [0, 6, 1, 8], choice: "g", shuffled: [2, 3, 6, 9, 8, 1, 5, 4, 7, 0]),
        Expected(seed: "42", random: [0.6394267984578837, 0.025010755222666936, 0.27502931836911926],
                 bits32: [958682846, 599310825], bitsK: [1, 13, 7201369453, 10060236952204337488],
                 randint: [1, 5, 4], randrange: [0, 0, -4, 17], choice: "b", shuffled: [2, 1, 9, 7, 4, 6, 5, 3, 0, 8]),
        Expected(seed: "4294967296", random: [0.11299430095636409, 0.41782886486292836, 0.0166763664992291],
                 bits32: [2627323657, 3762791315], bitsK: [1, 97, 5718797025, 18349438830298068874],
                 randint: [4, 1, 2], randrange: [7, 6, 3, 14], choice: "c", shuffled: [9, 4, 3, 2, 0, 5, 1, 8, 7, 6]),
        Expected(seed: "18446744073709563961", random: [0.0006128515938171875, 0.9096583904676042, 0.955684959337701],
                 bits32: [1306506852, 161492847], bitsK: [1, 127, 6388108316, 5646702727865905587],
                 randint: [5, 6, 3], randrange: [49, 7, -4, 2], choice: "g", shuffled: [1, 3, 8, 6, 9, 0, 5, 4, 7, 2]),
        Expected(seed: "-7", random: [0.32383276483316237, 0.15084917392450192, 0.6509344730398537],
                 bits32: [311111475, 3527346212], bitsK: [1, 12, 5865589240, 16781078052021535861],
                 randint: [5, 2, 1], randrange: [7, 6, 1, 20], choice: "b", shuffled: [3, 5, 2, 9, 7, 4, 0, 6, 8, 1]),
        Expected(seed: "123456789012345678901234567890",
                 random: [0.7275084571578186, 0.1595204831720859, 0.011812474780114934],
                 bits32: [1156635141, 4102715694], bitsK: [1, 95, 6678979653, 12176708088025388027],
                 randint: [1, 2, 3], randrange: [28, 1, -2, 20], choice: "a", shuffled: [3, 5, 6, 1, 0, 9, 4, 7, 8, 2]),
    ]

    @Test(arguments: cases)
    func matchesCPython(_ e: Expected) throws {
        let seed = try #require(PythonInt(parsing: e.seed, base: 10))
        var rng = PythonRandom(seed: seed)
        #expect((0..<3).map { _ in rng.random() } == e.random)
        #expect((0..<2).map { _ in rng.getrandbits(32) } == e.bits32)
        #expect([1, 7, 33, 64].map { rng.getrandbits($0) } == e.bitsK)
        #expect((0..<3).map { _ in rng.randint(1, 6)! } == e.randint)
        #expect([rng.randrange(0, 100, step: 7)!, rng.randrange(10)!, rng.randrange(-5, 5)!,
                 rng.randrange(20, 0, step: -3)!] == e.randrange)
        #expect(rng.choice(Array("abcdefg")) == e.choice)
        var x = Array(0..<10)
        rng.shuffle(&x)
        #expect(x == e.shuffled)
    }

    @Test func intSeedEqualsPythonIntSeed() {
        var a = PythonRandom(seed: 12345)
        var b = PythonRandom(seed: PythonInt(parsing: "12345", base: 10)!)
        #expect(a.random() == b.random())
    }

    @Test func emptyRangesAreNil() {
        var rng = PythonRandom(seed: 0)
        #expect(rng.randrange(0) == nil)
        #expect(rng.randrange(5, 5) == nil)
        #expect(rng.randrange(0, 10, step: 0) == nil)
        #expect(rng.randint(3, 2) == nil)
        #expect(rng.choice([Int]()) == nil)
        #expect(rng.randrange(0, Int.min, step: -1) == nil)
        #expect(rng.randrange(0, Int.min, step: -2) != nil)
        #expect(rng.randrange(0, Int.max, step: 2) != nil)
        #expect(rng.randint(0, Int.max) == nil)
    }
}
