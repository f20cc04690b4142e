import Foundation
import Testing
import VMSim
@testable import VMTrace

func readAddresses(_ path: String, _ options: AccessTraceOptions = .init()) throws -> [AddressAccess] {
    let reader = try AccessTrace.openAddresses(path, options: options)
    var out: [AddressAccess] = []
    while true {
        let batch = try reader.nextBatch()
        if batch.isEmpty { return out }
        out.append(contentsOf: batch)
    }
}

@Suite("Address-level traces, physical writers, mapping files")
struct AddressTraceTests {
    @Test func lackeyKeepsAddressesSizesAndModify() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("t.lackey", "==1== hello\nI  0401ab70,3\n S 1fff000768,8\n L 04225f10,16\n M 04225f18,4\n")
        let a = try readAddresses(path)
        #expect(a == [AddressAccess(address: 0x401ab70, size: 3, kind: .instruction),
                      AddressAccess(address: 0x1fff000768, size: 8, kind: .store),
                      AddressAccess(address: 0x4225f10, size: 16, kind: .load),
                      AddressAccess(address: 0x4225f18, size: 4, kind: .modify)])
        // The page-level reader still sees M as a load and a store.
        #expect(try readAll(path).map(\.kind) == [.instruction, .store, .load, .load, .store])
    }

    @Test func dinAndPlainBecomeByteAddresses() throws {
        let s = Scratch(); defer { s.cleanup() }
        #expect(try readAddresses(s.file("t.din", "0 1000\n1 0x2008\n2 3000\n4 0\n")).map(\.kind) == [.load, .store, .instruction])
        let plain = try readAddresses(s.file("p.txt", "# pages\n7\n0x10\n"), AccessTraceOptions(format: .plain, pageSize: .base4K))
        #expect(plain.map(\.address) == [0x7000, 0x10000])
    }

    @Test func malformedLinesKeepTheirLineNumbers() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("bad.lackey", "I  0401ab70,3\n L zz,8\n")
        #expect(throws: TraceError.self) { try readAddresses(path) }
        do { _ = try readAddresses(path) } catch let e as TraceError {
            #expect(e.description.hasPrefix("\(path):2: expected a hex address"))
        }
    }

    @Test(arguments: [TraceFormat.lackey, .din, .plain])
    func writersRoundTripThroughTheReaders(format: TraceFormat) throws {
        let s = Scratch(); defer { s.cleanup() }
        var records: [AddressAccess] = [AddressAccess(address: 0x1000, size: 3, kind: .instruction),
                                        AddressAccess(address: 0x12_3456_7890, size: 8, kind: .store),
                                        AddressAccess(address: 0x20, size: 1, kind: .load)]
        if format == .lackey { records.append(AddressAccess(address: 0xabc, size: 4, kind: .modify)) }
        if format == .plain { records = records.map { AddressAccess(address: $0.address & ~0xfff, size: 1, kind: .load) } }
        let path = s.url.appendingPathComponent("out").path
        let writer = try PhysicalTraceWriter(path: path, format: format, pageSize: .base4K)
        try records.withUnsafeBufferPointer { try writer.write($0) }
        try writer.flush()
        var expected = records
        if format == .din { expected = records.map { AddressAccess(address: $0.address, size: 1, kind: $0.kind) } }
        #expect(try readAddresses(path, AccessTraceOptions(format: format)) == expected)
        if format == .lackey {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == "I  00001000,3\n S 1234567890,8\n L 00000020,1\n M 00000abc,4\n")
        }
    }

    @Test func mappingSpecsParseBothSyntaxes() throws {
        let a = try MappingSpec(parsing: "0x7fff_f000=0x1234_5000:rwu")
        #expect(a.virtual == VirtualAddress(0x7fff_f000) && a.physical == PhysicalAddress(0x1234_5000) && a.flags == .userData && a.size == nil)
        let b = try MappingSpec(parsing: "0x40000000 0x80000000 2M rwxg")
        #expect(b.size == .huge2M && b.flags == [.read, .write, .execute, .global])
        let c = try MappingSpec(parsing: "4096=8192:2M")
        #expect(c.virtual.rawValue == 4096 && c.flags == .userData && c.size == .huge2M)
        for bad in ["0x1000", "0x1000=", "0xZZ=0x1000", "0x1000=0x2000:rwq", "0x1000=0x2000:3K", "1=2:r:4K:x:y", "0x1_0000_0000_0000_0000=0"] {
            #expect(throws: LineError.self, "\(bad)") { try MappingSpec(parsing: bad) }
        }
    }

    @Test func mappingFilesReportFileAndLine() throws {
        let s = Scratch(); defer { s.cleanup() }
        let good = s.file("maps.txt", "# kernel text\n0xffffffff81000000=0x1000000:rxg:2M\n\n0x1000=0x5000   # a user page\n")
        let entries = try MappingFile.read(good)
        #expect(entries.map(\.line) == [2, 4])
        #expect(entries[1].spec.physical == PhysicalAddress(0x5000))
        let bad = s.file("bad.txt", "0x1000=0x5000\n0x2000=oops\n")
        do {
            _ = try MappingFile.read(bad)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "\(bad):2: 'oops' is not a physical address (0x-hex or decimal, at most 64 bits) in '0x2000=oops'")
        }
        // Found by fuzzing (Fuzz/Harnesses/mapping-file.swift): a CRLF line's CR stayed in the
        // spec's text and in the quote of its error.
        let crlf = s.file("crlf.txt", "0x1000=0x5000:rw\r\n0x2000=oops\r\n")
        #expect(throws: TraceError(file: crlf, location: .line(2), message: "'oops' is not a physical address (0x-hex or decimal, at most 64 bits) in '0x2000=oops'")) {
            try MappingFile.read(crlf)
        }
        let first = try MappingFile.read(s.file("crlf1.txt", "0x1000=0x5000:rw\r\n"))
        #expect(first.map(\.spec.text) == ["0x1000=0x5000:rw"])
    }
}
