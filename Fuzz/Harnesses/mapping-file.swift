// Fuzz harness: mapping files (`vmsim translate --mappings`), MappingSpec and PageFlags.
// Checks: MappingFile.read never crashes; its error names the file and a line of it, in a
// one-line message; every mapping's line is within the file, in increasing order; each line's
// spec parses alone as in the file; PageFlags(parsing:) round-trips through its description.
import VMSim
import VMTrace

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    if looksCompressed(bytes) { return -1 }
    let path = InputFile.write(bytes)
    do {
        let mappings = try MappingFile.read(path)
        var last = 0
        for m in mappings {
            guard m.line > last && m.line <= lineCount(bytes) else { finding("mapping at line \(m.line) after \(last), of \(lineCount(bytes))") }
            last = m.line
            guard let again = try? MappingSpec(parsing: m.spec.text), again == m.spec else {
                finding("the spec of line \(m.line) does not parse the same alone: \(m.spec.text.debugDescription)")
            }
        }
    } catch {
        checkLocated(error, file: path, bytes: bytes)
    }

    // The whole input as one --map argument, and as page flags.
    let text = inputText(bytes)
    if let spec = try? MappingSpec(parsing: text) {
        guard spec.text == text else { finding("MappingSpec keeps '\(spec.text)', not its text") }
    }
    if let flags = try? PageFlags(parsing: text) {
        guard let again = try? PageFlags(parsing: flags.description), again == flags else {
            finding("PageFlags '\(flags)' does not parse back")
        }
    }
    return 0
}
