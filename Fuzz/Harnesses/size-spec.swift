// Fuzz harness: byte sizes (`4K`, `2M`, `0x1000`) and page sizes.
// Checks: ByteSize.parse and PageSize(parsing:) never crash; a parsed size formats to a text
// that parses back to it; a page size is the parsed byte size, a power of two.
import VMSim

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = inputText(inputBytes(data, size))
    let bytes = ByteSize.parse(text)
    if let bytes {
        let formatted = ByteSize.format(bytes)
        guard ByteSize.parse(formatted) == bytes else { finding("size \(bytes) formats as '\(formatted)', which does not parse back") }
    }
    if let page = PageSize(parsing: text) {
        guard page.bytes == bytes, page.bytes & (page.bytes - 1) == 0 else {
            finding("page size \(page.bytes) from \(text.debugDescription), whose byte size is \(bytes.map(String.init) ?? "nil")")
        }
        guard PageSize(parsing: page.description) == page else { finding("page size \(page) does not parse back") }
    } else if let bytes, bytes > 0, bytes & (bytes - 1) == 0 {
        finding("\(text.debugDescription) is \(bytes) bytes, a power of two, but not a page size")
    }
    return 0
}
