// Fuzz harness: the engine's own spec parsers (memory-size lists, SHARDS sampling, heap policy
// lists and heap model options, MRC requests), which the CLI maps its flags onto.
// Checks: none crashes; an error has a message that names no command-line flag; what parses is in
// range (sizes 1...FrameCount.limit without duplicates, a rate in (0, 1], a sample size above 0,
// an alignment of at least 1, an initial heap within the limit) and parses back the same.
import VMSim

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    guard let selector = bytes.first else { return 0 }
    let text = inputText(UnsafeBufferPointer(rebasing: bytes.dropFirst()))
    func refused(_ error: SpecError) {
        guard !error.description.isEmpty else { finding("a spec error without a message") }
        // A message may quote the input; it names a flag only if it says "--" that the input did not.
        guard !error.description.contains("--") || text.contains("--") else {
            finding("a library error names a flag: \(error.description)")
        }
    }
    do {
        switch selector % 5 {
        case 0:
            let sizes = try FrameCount.parseList(text.split(separator: "\n").map(String.init))
            guard !sizes.isEmpty, sizes.allSatisfy({ (1...FrameCount.limit).contains($0) }), Set(sizes).count == sizes.count else {
                finding("memory sizes \(sizes) from \(text.debugDescription)")
            }
            guard (try? FrameCount.parseList([sizes.map(String.init).joined(separator: ",")])) == sizes else {
                finding("memory sizes \(sizes) do not parse back")
            }
        case 1:
            let mode = try SHARDS.Mode(parsing: text)
            switch mode {
            case .fixedRate(let r): guard r > 0 && r <= 1 else { finding("sampling rate \(r) from \(text.debugDescription)") }
            case .fixedSize(let n): guard n > 0 else { finding("sample size \(n) from \(text.debugDescription)") }
            }
        case 2:
            let policies = try HeapPolicy.parseList([text])
            guard !policies.isEmpty, Set(policies).count == policies.count else { finding("heap policies \(policies)") }
            guard (try? HeapPolicy.parseList([policies.map(\.rawValue).joined(separator: ",")])) == policies else {
                finding("heap policies \(policies) do not parse back")
            }
        case 3:
            let fields = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var o = HeapModel.Options()
            if fields.count > 0 { o.alignment = fields[0] }
            if fields.count > 1 { o.header = fields[1] }
            if fields.count > 2 { o.base = fields[2] }
            if fields.count > 3 { o.heapLimit = fields[3] }
            if fields.count > 4 { o.initialHeap = fields[4] }
            let model = try HeapModel(parsing: o)
            guard model.alignment >= 1 else { finding("alignment \(model.alignment)") }
            if let limit = model.heapLimit, model.initialHeap > limit { finding("initial heap above the limit") }
        default:
            let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            let policy = try PolicySpec(parsing: parts.first ?? "")
            let sizes = parts.count > 1 ? try FrameCount.parseList([parts[1]]) : nil
            let sampling = parts.count > 2 ? try SHARDS.Mode(parsing: parts[2]) : nil
            let request = try MRCRequest(policy: policy, sizes: sizes, sampling: sampling)
            guard request.policy.kind == .lru || (request.sizes != nil && request.sampling == nil) else {
                finding("an MRC request for \(policy) without sizes, or sampled")
            }
        }
    } catch {
        refused(error) // every parser here throws SpecError, and only that
    }
    return 0
}
