import Testing
import VMDriver
import VMTrace

/// Runs `script` as the workload `t.vms` and expects it to stop with an error that begins with
/// `message` (`FILE:LINE: ...`).
func expectScriptError(_ script: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    var runner = WorkloadRunner(file: "t.vms", checkInvariants: false)
    do throws(TraceError) {
        try runner.run(script)
        Issue.record("no error for \(script)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.description.hasPrefix(message), "\(error)", sourceLocation: sourceLocation)
    }
}
