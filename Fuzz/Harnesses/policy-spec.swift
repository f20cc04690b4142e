// Fuzz harness: replacement-policy specs (`--policy lru`, `clock:2`).
// Checks: PolicySpec(parsing:) never crashes; an error has a message; a parsed spec's parameter
// is within its policy's range, and its description parses back to the same policy.
import VMSim

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = inputText(inputBytes(data, size))
    do {
        let spec = try PolicySpec(parsing: text)
        guard let again = try? PolicySpec(parsing: spec.description), again.description == spec.description,
              again.kind == spec.kind else {
            finding("policy '\(spec)' (from \(text.debugDescription)) does not parse back")
        }
        if let p = spec.parameter, p < 1 { finding("policy \(spec.name) with parameter \(p)") }
    } catch {
        guard !error.description.isEmpty else { finding("policy error without a message") }
    }
    return 0
}
