// Fuzz harness: TLB hierarchy specs (`--tlb`) and walk-cache specs (`--walk-cache`), the two
// parsers of TLBSpec.swift.
// Checks: neither crashes; an error has a message; a parsed spec is consistent (entries a
// multiple of ways, a power-of-two set count) and parses back from its description.
import VMSim

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = inputText(inputBytes(data, size))
    do {
        let spec = try TLBSpec(parsing: text)
        for level in spec.levels {
            for a in level.arrays {
                guard a.entries > 0, a.ways > 0, a.entries % a.ways == 0, a.sets & (a.sets - 1) == 0 else {
                    finding("inconsistent TLB array \(a) in \(spec)")
                }
            }
        }
        guard let again = try? TLBSpec(parsing: spec.description), again.levels == spec.levels else {
            finding("TLB spec '\(spec)' (from \(text.debugDescription)) does not parse back")
        }
    } catch {
        guard !error.message.isEmpty else { finding("TLB spec error without a message") }
    }
    do {
        let walk = try WalkCacheSpec(parsing: text)
        guard let again = try? WalkCacheSpec(parsing: walk.description), again == walk else {
            finding("walk-cache spec '\(walk)' does not parse back")
        }
    } catch {
        guard !error.message.isEmpty else { finding("walk-cache spec error without a message") }
    }
    return 0
}
