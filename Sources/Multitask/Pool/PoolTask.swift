/// A unit of work for a process ``Pool``: a `Codable` value whose ``run()`` runs in a worker
/// process.
///
/// The value is encoded in the parent and sent with its type's mangled name; the worker, the
/// same executable, finds the type by that name and decodes it (no registration). The type
/// must be visible beyond its file (`internal` or `public`; nested and generic types are fine),
/// like a ``ProcessEntry``. ``Output`` travels back the same way.
///
/// An error thrown by `run()` fails this task only: the caller gets a
/// ``PoolError/taskFailed(errorType:description:task:)`` carrying the error's type and
/// description (the error value itself stays in the worker).
///
/// ```swift
/// struct Fibonacci: PoolTask {
///     var n: Int
///     func run() -> Int { n < 2 ? n : Fibonacci(n: n - 1).run() + Fibonacci(n: n - 2).run() }
/// }
/// let value = try pool.apply(Fibonacci(n: 25))
/// ```
public protocol PoolTask: Codable, Sendable {
    /// What the task computes.
    associatedtype Output: Codable & Sendable
    /// The work, run in a worker process.
    func run() throws -> Output
    /// What a worker process does with each encoded task of this type: decode it, run it,
    /// append its encoded output. Keep the default: this is a requirement only so that the
    /// code is compiled, specialised for the type, in the module that declares the type (a
    /// worker finds the type by name at run time, where generic code would look the type's
    /// metadata up on every task).
    static func _poolWorkerBody() -> (_ task: UnsafeRawBufferPointer, _ output: inout [UInt8]) throws -> Void
}

/// A function of one argument that a process ``Pool`` maps over many inputs (Python's
/// `pool.map(f, xs)`): the type is the function, ``run(_:)`` its body.
///
/// The type itself never travels, only its name and the inputs, so it is usually a caseless
/// `enum`. It must be visible beyond its file, like a ``PoolTask``.
///
/// ```swift
/// enum Square: PoolFunction {
///     static func run(_ x: Int) -> Int { x * x }
/// }
/// let squares = try pool.map(Square.self, [1, 2, 3])   // [1, 4, 9]
/// ```
public protocol PoolFunction {
    /// The argument.
    associatedtype Input: Codable & Sendable
    /// The result.
    associatedtype Output: Codable & Sendable
    /// The body, run in a worker process.
    static func run(_ input: Input) throws -> Output
    /// What a worker process does with each encoded chunk of inputs of a `map` of this
    /// function: decode the inputs, run the function on each, append the encoded outputs.
    /// Keep the default: like ``PoolTask/_poolWorkerBody()``, it is a requirement only so
    /// that the code is specialised for the function in the module that declares it.
    static func _poolChunkBody() -> (_ chunk: UnsafeRawBufferPointer, _ output: inout [UInt8]) throws -> Void
}

/// A function of two arguments for ``Pool/starmap(_:_:chunkSize:progress:)``: Python's
/// `starmap(f, [(a, b), …])`, which unpacks each argument tuple into the call.
///
/// Swift tuples are not `Codable`, so the pool packs each pair into a `Codable` value on the
/// way. For more arguments, map a ``PoolFunction`` whose `Input` is a `Codable` struct.
///
/// ```swift
/// enum Power: PoolBinaryFunction {
///     static func run(_ base: Int, _ exponent: Int) -> Int { (0..<exponent).reduce(1) { r, _ in r * base } }
/// }
/// let values = try pool.starmap(Power.self, [(2, 3), (3, 2)])   // [8, 9]
/// ```
public protocol PoolBinaryFunction {
    /// The first argument.
    associatedtype First: Codable & Sendable
    /// The second argument.
    associatedtype Second: Codable & Sendable
    /// The result.
    associatedtype Output: Codable & Sendable
    /// The body, run in a worker process.
    static func run(_ first: First, _ second: Second) throws -> Output
}
