/// A row-major Float32 matrix: the one tensor shape the engine needs.
///
/// Vectors are 1×n rows, per-example scalars n×1 columns, a batch of k samples of B examples is (k·B)×d.
/// Storage is a reference-counted buffer with copy-on-write, so tensors behave as values while
/// kernels work on raw contiguous memory.
public struct Tensor: @unchecked Sendable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    @usableFromInline var storage: TensorStorage

    public var count: Int { rows * cols }
    public var shape: [Int] { [rows, cols] }

    /// A zero-filled tensor.
    public init(zeros rows: Int, _ cols: Int) {
        precondition(rows >= 0 && cols >= 0, "negative tensor shape")
        self.rows = rows
        self.cols = cols
        storage = TensorStorage(count: rows * cols, zeroed: true)
    }

    /// An uninitialised tensor, for kernels that write every element.
    @usableFromInline init(uninitialized rows: Int, _ cols: Int) {
        self.rows = rows
        self.cols = cols
        storage = TensorStorage(count: rows * cols, zeroed: false)
    }

    public init(rows: Int, cols: Int, repeating value: Float) {
        self.init(uninitialized: rows, cols)
        storage.pointer.update(repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, _ values: [Float]) {
        precondition(values.count == rows * cols, "\(values.count) values for a \(rows)x\(cols) tensor")
        self.init(uninitialized: rows, cols)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A 1×1 tensor.
    public init(scalar: Float) { self.init(rows: 1, cols: 1, [scalar]) }

    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The single value of a 1×1 tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a \(rows)x\(cols) tensor")
        return storage.pointer[0]
    }

    public subscript(row: Int, col: Int) -> Float {
        get { storage.pointer[row * cols + col] }
        set { makeUnique(); storage.pointer[row * cols + col] = newValue }
    }

    /// Read-only access to the contiguous elements.
    @inlinable public func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafePointer(storage.pointer))
    }

    /// Mutable access; copies first if the buffer is shared.
    @inlinable
    public mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(storage.pointer)
    }

    /// Writes into this tensor's buffer even when shared: for buffers the engine owns on purpose
    /// (a parameter's value updated by its optimiser, a gradient accumulated in place).
    @inlinable
    public func withSharedMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try body(storage.pointer)
    }

    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// The same elements viewed as another shape (no copy).
    public func reshaped(_ rows: Int, _ cols: Int) -> Tensor {
        precondition(rows * cols == count, "cannot reshape \(self.rows)x\(self.cols) to \(rows)x\(cols)")
        var t = self
        t.rows = rows
        t.cols = cols
        return t
    }

    /// Every element times `s`.
    public func scaled(_ s: Float) -> Tensor {
        var out = Tensor(uninitialized: rows, cols)
        let n = count
        withPointer { p in out.withMutablePointer { o in for i in 0..<n { o[i] = s * p[i] } } }
        return out
    }

    /// True when every element is finite.
    public var isFinite: Bool {
        withPointer { p in
            var ok = true
            for i in 0..<count where !p[i].isFinite { ok = false; break }
            return ok
        }
    }
}

/// An aligned heap buffer of Float32.
@usableFromInline final class TensorStorage {
    @usableFromInline let pointer: UnsafeMutablePointer<Float>
    @usableFromInline let count: Int

    @usableFromInline init(count: Int, zeroed: Bool) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { pointer.update(repeating: 0, count: count) }
    }

    @usableFromInline func copy() -> TensorStorage {
        let c = TensorStorage(count: count, zeroed: false)
        c.pointer.update(from: pointer, count: count)
        return c
    }

    deinit { pointer.deallocate() }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor(\(rows)x\(cols))" }
}
