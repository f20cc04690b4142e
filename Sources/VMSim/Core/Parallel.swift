import Dispatch

/// Work spread over a fixed number of workers, for running independent simulators side by side.
enum Parallel {
    /// Calls `body(i)` once for every i in 0..<count, on up to `parallelism` workers (worker w
    /// takes w, w + workers, ...); returns when all calls are done. With one worker or one index
    /// the calls run in order on the calling thread.
    /// - Complexity: O(count) calls.
    static func forEach(_ count: Int, parallelism: Int, _ body: @Sendable (Int) -> Void) {
        let workers = min(max(1, parallelism), count)
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < count {
                body(i)
                i += workers
            }
        }
    }
}

/// A buffer handed to the workers of one `Parallel.forEach`: they only read it, and `forEach` does
/// not return (so the caller cannot reuse the memory) until every worker is done.
struct SharedBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<Element>
    init(_ buffer: UnsafeBufferPointer<Element>) { self.buffer = buffer }
}
