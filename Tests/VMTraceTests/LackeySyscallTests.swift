import Foundation
import Testing
import VMSim
@testable import VMTrace

/// The SYSCALL lines of a Lackey log recorded with --trace-syscalls=yes (lines copied from real
/// Valgrind 3.19 logs of a small C program), read in program order with the accesses around them.
@Suite struct LackeySyscallTests {
    func read(_ text: String) throws -> (accesses: [AddressAccess], calls: [RecordedSyscall], log: LackeyRecording) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmsim-syscalls-\(UUID().uuidString).lackey").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try LackeyRecording.open(path)
        var accesses: [AddressAccess] = [], calls: [RecordedSyscall] = []
        while let step = try log.next() {
            accesses += step.accesses
            calls += step.syscalls
        }
        return (accesses, calls, log)
    }

    @Test func callsAndTheirResults() throws {
        let r = try read("""
            ==2113== Lackey, an example Valgrind tool
            SYSCALL[2113,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x4035000) 
            I  04022a30,3
            SYSCALL[2113,1](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x4835000) 
             S 04835000,8
            SYSCALL[2113,1](257) sys_openat ( 4294967196, 0x4835540(/lib/x86_64-linux-gnu/libc.so.6), 524288 ) --> [async] ... 
            SYSCALL[2113,1](257) ... [async] --> Success(0x4) 
            SYSCALL[2113,1](21) sys_access ( 0x402a2a0(/etc/ld.so.preload), 4 )[sync] --> Failure(0x2) 
            SYSCALL[2113,1](10) sys_mprotect ( 0x4a14000, 16384, 1 )[sync] --> Success(0x0) 
            SYSCALL[2113,1](334) unimplemented (by the kernel) syscall: 334! (ni_syscall)
             --> [pre-fail] Failure(0x26) 
            SYSCALL[2113,1](56) sys_clone ( 1200011, 0x0, 0x0, 0x4a27a10, 0x0 )   clone(fork): process 2113 created child 2114
             --> [pre-success] Success(0x842) 
            SYSCALL[2113,1](25) sys_mremap ( 0x483c000, 32768, 131072, 0x1 ) --> [pre-success] Success(0x4a2a000) 
            SYSCALL[2113,1](231) exit_group( 3 ) --> [pre-success] Success(0x0) 
            ==2113== Exit code:       0

            """)
        #expect(r.accesses == [AddressAccess(address: 0x4022a30, size: 3, kind: .instruction), AddressAccess(address: 0x4835000, size: 8, kind: .store)])
        #expect(r.calls.map(\.name) == ["sys_brk", "sys_mmap", "sys_openat", "sys_access", "sys_mprotect", "unimplemented", "sys_clone", "sys_mremap", "exit_group"])
        let mmap = r.calls[1]
        #expect(mmap.pid == 2113 && mmap.tid == 1 && mmap.number == 9 && mmap.line == 4)
        #expect(mmap.number(0) == 0 && mmap.number(1) == 8192 && mmap.number(2) == 3 && mmap.number(3) == 34 && mmap.number(4) == 4294967295)
        #expect(mmap.returned == 0x4835000)
        // The async open completes two lines later, with the descriptor.
        let open = r.calls[2]
        #expect(open.string(1) == "/lib/x86_64-linux-gnu/libc.so.6" && open.result == .success(4) && open.line == 6 && open.resultLine == 7)
        #expect(r.calls[3].result == .failure(2))
        #expect(r.calls[5].result == .failure(0x26) && r.calls[5].number == 334)
        // clone: flags in hex without 0x, the child's pid in the line, the result on the next.
        let clone = r.calls[6]
        #expect(clone.hexNumber(0) == 0x1200011 && clone.child == 2114 && clone.returned == 0x842)
        #expect(r.calls[7].hexNumber(3) == 1 && r.calls[7].returned == 0x4a2a000)
        #expect(r.calls[8].number(0) == 3)
        #expect(r.log.truncatedAt == nil)
    }

    @Test func aLogEndingOnExecveEndedInASuccessfulExec() throws {
        let r = try read(" S 1fff0004f8,8\nSYSCALL[2260,1](59) sys_execve ( 0x10a009(/bin/true), 0x1fff000500, 0x1fff0006a8 )")
        #expect(r.calls.count == 1 && r.calls[0].name == "sys_execve" && r.calls[0].result == .none && r.calls[0].string(0) == "/bin/true")
        #expect(r.log.truncatedAt == nil)
    }

    @Test func aChildsLogStartsWithItsHalfOfTheClone() throws {
        let r = try read("==2114== Parent PID: 2113\n --> [pre-success] Success(0x0) \nSYSCALL[2114,1](231) exit_group( 0 ) --> [pre-success] Success(0x0) \n")
        #expect(r.calls.map(\.name) == ["exit_group"])
    }

    @Test func aCutLogReplaysWhatItHoldsAndSaysWhere() throws {
        let r = try read("I  04022a30,3\n L 1fff000540,8\nSYSCALL[1,1](9) sys_mmap ( 0x0, 4096, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x4835000) \n S 0483")
        #expect(r.accesses.count == 2)
        #expect(r.calls.count == 1)
        #expect(r.log.truncatedAt == 4)
    }

    @Test func aCutSyscallLineKeepsTheAccessesBeforeIt() throws {
        // Found by the lackey fuzz harness: the access read in the same batch as the cut line was lost.
        let r = try read("==1== Lackey\nI  04022a30,3\nSYSCALL[2")
        #expect(r.accesses == [AddressAccess(address: 0x4022a30, size: 3, kind: .instruction)])
        #expect(r.log.truncatedAt == 3)
    }

    @Test func aMalformedLineInTheMiddleIsAnError() throws {
        #expect(throws: TraceError.self) { try read("I  04022a30,3\n X nonsense\nI  04022a30,3\n") }
    }

    @Test func pageReadersSkipTheSyscallLines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmsim-syscalls-\(UUID().uuidString).lackey").path
        try "I  04022a30,3\nSYSCALL[1,1](56) sys_clone ( 1200011, 0x0, 0x0, 0x4a27a10, 0x0 )   clone(fork): process 1 created child 2\n --> [pre-success] Success(0x2) \n S 04835000,8\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try AccessTrace.open(path, options: AccessTraceOptions(format: .lackey))
        let batch = try reader.nextBatch()
        #expect(batch.map(\.page) == [0x4022, 0x4835])
    }
}
