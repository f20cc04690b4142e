// Fuzz harness: the `vmsim buddy` script parser.
// Checks: BuddyScript.parse never crashes; its error names the input and a line of it, in a
// one-line message; parsed lines are numbered within the input, in increasing order; reading the
// same bytes from a file (BuddyScript.load) gives the same lines or the same error.
import VMTrace

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    if looksCompressed(bytes) { return -1 }
    let text = inputText(bytes)
    var parsed: Result<[BuddyScript.Line], TraceError>
    do {
        let lines = try BuddyScript.parse(text, file: inputName)
        var last = 0
        for l in lines {
            guard l.number > last && l.number <= lineCount(bytes) else { finding("command numbered line \(l.number) after \(last), of \(lineCount(bytes))") }
            last = l.number
        }
        parsed = .success(lines)
    } catch {
        checkLocated(error, file: inputName, bytes: bytes)
        parsed = .failure(error)
    }
    // From a file: the same, when the bytes are UTF-8 (load rejects anything else).
    guard String(validating: bytes, as: UTF8.self) != nil else { return 0 }
    let path = InputFile.write(bytes)
    do {
        let (name, lines) = try BuddyScript.load(path: path)
        guard name == path else { finding("load names the script '\(name)', not '\(path)'") }
        guard case .success(let expected) = parsed, expected == lines else { finding("load parsed what parse rejected") }
    } catch {
        guard case .failure(let expected) = parsed else { finding("load rejected what parse accepted: \(error)") }
        guard error.message == expected.message && error.location == expected.location && error.file == path else {
            finding("load and parse disagree: \(error) vs \(expected)")
        }
    }
    return 0
}
