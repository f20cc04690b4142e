import Dispatch

/// Work spread over a fixed number of workers, for running independent simulators side by side.
public enum Parallel {
    /// Calls `body(i)` once for every i in 0..<count, on up to `parallelism` workers (worker w
    /// takes w, w + workers, ...); returns when all calls are done. With one worker or one index
    /// the calls run in order on the calling thread.
    /// - Complexity: O(count) calls.
    public static func forEach(_ count: Int, parallelism: Int, _ body: @Sendable (Int) -> Void) {
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

extension Parallel {
    /// `body(i)` for every i in 0..<count on up to `parallelism` workers, the results in index
    /// order whatever the order they finish in.
    /// - Complexity: O(count) calls.
    public static func map<T: Sendable>(_ count: Int, parallelism: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize(); slots.deallocate() }
        let shared = SharedSlots(slots)
        forEach(count, parallelism: parallelism) { i in shared.slots[i] = body(i) }
        return slots.map { $0! }
    }
}

/// Result slots handed to the workers of one `Parallel.map`: each index is written by one worker.
struct SharedSlots<T>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<T?>
    init(_ slots: UnsafeMutableBufferPointer<T?>) { self.slots = slots }
}

/// A buffer handed to the workers of one `Parallel.forEach`: they only read it, and `forEach` does
/// not return (so the caller cannot reuse the memory) until every worker is done.
struct SharedBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<Element>
    init(_ buffer: UnsafeBufferPointer<Element>) { self.buffer = buffer }
}
