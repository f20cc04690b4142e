import ArgumentParser
import VMTrace
#if canImport(Glibc)
import Glibc
#endif

/// Writes `text` to standard error.
func printError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    line.withCString { p in _ = write(2, p, strlen(p)) }
}

/// Runs `body`, turning input errors into `FILE:LINE: message` on standard error and exit status 2.
func reportingInputErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as TraceError {
        printError("vmsim: \(error.description)")
        throw ExitCode(2)
    }
}
