import CKernels
import Foundation

/// The widest vector unit a processor offers for single-precision products, in order.
public enum VectorUnit: Int, Comparable, Sendable, CustomStringConvertible {
    case sse, avx, avx2, avx512

    public static func < (a: VectorUnit, b: VectorUnit) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .sse: "SSE"
        case .avx: "AVX"
        case .avx2: "AVX2+FMA"
        case .avx512: "AVX-512"
        }
    }
}

/// The processor this process runs on, from CPUID (x86-64; elsewhere everything is unknown).
public struct CPUInfo: Sendable, Equatable {
    public var vendor: String
    public var modelName: String
    public var family: Int
    public var model: Int
    public var vectorUnit: VectorUnit
    /// AVX-512 with the BF16 instructions (Cooper Lake, Sapphire Rapids and later, Zen 4 and later).
    public var bf16: Bool

    public init(vendor: String, modelName: String, family: Int, model: Int, vectorUnit: VectorUnit, bf16: Bool) {
        self.vendor = vendor
        self.modelName = modelName
        self.family = family
        self.model = model
        self.vectorUnit = vectorUnit
        self.bf16 = bf16
    }

    public static let current: CPUInfo = {
        var raw = vk_cpu_info()
        vk_cpu_info_read(&raw)
        let vendor = withUnsafeBytes(of: raw.vendor) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let brand = withUnsafeBytes(of: raw.brand) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let unit: VectorUnit = raw.avx512f != 0 ? .avx512
            : raw.avx2 != 0 && raw.fma != 0 ? .avx2
            : raw.avx != 0 ? .avx : .sse
        return CPUInfo(vendor: vendor, modelName: brand.trimmingCharacters(in: .whitespaces), family: Int(raw.family),
                       model: Int(raw.model), vectorUnit: unit, bf16: raw.avx512bf16 != 0)
    }()

    public var isAMD: Bool { vendor == "AuthenticAMD" }

    /// "AMD EPYC (family 26 model 2), AVX-512 with BF16".
    public var summary: String {
        let name = modelName.isEmpty ? (vendor.isEmpty ? "unknown CPU" : vendor) : modelName
        return "\(name) (family \(family) model \(model)), \(vectorUnit)\(bf16 ? " with BF16" : "")"
    }
}
