// Fuzz harness: the ostep-ops allocation-trace reader (see Shared/HeapTraces.swift for what it checks).
import VMTrace

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzHeapTrace(.ops, data, size)
}
