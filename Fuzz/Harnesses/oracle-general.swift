// Fuzz harness: the oracle-general access-trace reader (see Shared/AccessTraces.swift for what it checks).
import VMTrace

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzAccessTrace(.oracleGeneral, data, size)
}
