import CKernels
import Foundation

/// MD5 digests in lowercase hex, the form data sets publish their checksums in (`md5sum` prints the same).
public enum MD5 {
    /// How much of a file is read at a time: the digest of a 47 MB file costs 1 MB of memory.
    static let chunkBytes = 1 << 20

    public static func hex<Bytes: ContiguousBytes>(of bytes: Bytes) -> String {
        var md5 = vk_md5()
        vk_md5_init(&md5)
        bytes.withUnsafeBytes { vk_md5_update(&md5, $0.baseAddress, $0.count) }
        return finish(&md5)
    }

    /// The digest of a file's bytes, read a chunk at a time; nil when it cannot be read.
    public static func hex(ofFile path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var md5 = vk_md5()
        vk_md5_init(&md5)
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, chunkBytes) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { break }
            chunk.withUnsafeBytes { vk_md5_update(&md5, $0.baseAddress, n) }
        }
        return finish(&md5)
    }

    private static func finish(_ md5: inout vk_md5) -> String {
        var digest = [UInt8](repeating: 0, count: 16)
        vk_md5_final(&md5, &digest)
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
