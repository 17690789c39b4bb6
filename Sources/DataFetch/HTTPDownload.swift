import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why one download from one mirror stopped short, in the words a status line needs: "HTTP 404", "connection
/// refused", "no data for 30 s".
public struct DownloadFailure: Error, CustomStringConvertible {
    public let description: String
    /// The reason was writing the file here, not the network: no other mirror would do better.
    public let isLocal: Bool

    init(_ description: String, isLocal: Bool = false) {
        self.description = description
        self.isLocal = isLocal
    }
}

/// One HTTP(S) GET streamed into a file, through Foundation's URLSession (libcurl underneath on Linux).
/// The file is appended to from `offset` with a Range request, so a download cut short goes on where it stopped;
/// a server that ignores the range sends the whole file again, and the file starts over.
public enum HTTPDownload {
    /// Progress: bytes in the file so far, and the file's full size when the server said it.
    public typealias Progress = @Sendable (_ bytes: Int, _ total: Int?) -> Void

    /// Downloads `url` into `path` (created, or appended to from its current size). `timeout` is how long the
    /// connection may stay silent. Returns the file's size.
    public static func fetch(_ url: URL, into path: String, timeout: Double,
                             progress: @escaping Progress) throws(DownloadFailure) -> Int {
        let offset = fileSize(path)
        let handle: FileHandle
        do {
            if offset == 0 {
                guard FileManager.default.createFile(atPath: path, contents: nil) else { throw POSIXFailure.current }
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
        } catch {
            throw DownloadFailure("cannot write \(path) (\(reason(error)))", isLocal: true)
        }
        defer { try? handle.close() }

        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let receiver = Receiver(handle: handle, offset: offset, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.urlCache = nil   // else Foundation makes a cache folder in $XDG_CACHE_HOME for nothing
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
        session.dataTask(with: request).resume()
        receiver.finished.wait()
        session.finishTasksAndInvalidate()
        if let failure = receiver.failure { throw failure }
        do {
            try handle.synchronize()
        } catch {
            throw DownloadFailure("cannot write \(path) (\(reason(error)))", isLocal: true)
        }
        return receiver.written
    }

    /// Runs `body`, then removes the folder Foundation's URLSession makes in the user's cache (every session
    /// configuration creates `org.swift.foundation.URLCache`, even one without a cache) when it was not there
    /// before: a fetch leaves the user's cache as it found it, but for the data.
    public static func leavingNoFoundationCache<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let folder = FileManager.default.urls(for: .cachesDirectory, in: .userDomainMask).first?
            .appendingPathComponent("org.swift.foundation.URLCache").path
        let existed = folder.map { FileManager.default.fileExists(atPath: $0) } ?? true
        defer { if !existed, let folder { try? FileManager.default.removeItem(atPath: folder) } }
        return try body()
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    static func reason(_ error: any Error) -> String {
        if let posix = error as? POSIXFailure { return posix.reason }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}

struct POSIXFailure: Error {
    let reason: String
    static var current: POSIXFailure { POSIXFailure(reason: String(cString: strerror(errno))) }
}

/// Takes one response: checks its status, appends its body to the file, reports progress and the outcome.
/// URLSession calls it on its own serial queue; `finished` hands the result back to the waiting caller.
private final class Receiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let handle: FileHandle
    let progress: HTTPDownload.Progress
    let finished = DispatchSemaphore(value: 0)
    /// Bytes in the file: what was there, plus what arrived.
    var written: Int
    var total: Int?
    var failure: DownloadFailure?

    init(handle: FileHandle, offset: Int, progress: @escaping HTTPDownload.Progress) {
        self.handle = handle
        self.written = offset
        self.progress = progress
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 200
        let length = response.expectedContentLength >= 0 ? Int(response.expectedContentLength) : nil
        switch status {
        case 206:
            total = length.map { written + $0 }
        case 200..<300:
            // The whole file, not the range asked for: start the file over.
            if written > 0 {
                do {
                    try handle.truncate(atOffset: 0)
                } catch {
                    failure = DownloadFailure("cannot write (\(HTTPDownload.reason(error)))", isLocal: true)
                    return completionHandler(.cancel)
                }
                written = 0
            }
            total = length
        case 416 where written > 0:
            // Nothing after what the file already holds: it may be whole. Its checksum will tell.
            total = written
            return completionHandler(.cancel)
        default:
            failure = DownloadFailure("HTTP \(status)")
            return completionHandler(.cancel)
        }
        progress(written, total)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = DownloadFailure("cannot write (\(HTTPDownload.reason(error)))", isLocal: true)
            dataTask.cancel()
            return
        }
        written += data.count
        progress(written, total)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        defer { finished.signal() }
        if failure != nil { return }
        if let error = error as? URLError, error.code != .cancelled {
            failure = DownloadFailure(Self.words(for: error, received: written,
                                                 timeout: task.originalRequest?.timeoutInterval))
        } else if let error, (error as? URLError)?.code != .cancelled {
            failure = DownloadFailure(error.localizedDescription)
        } else if let total, written < total {
            failure = DownloadFailure("connection closed after \(written) of \(total) bytes")
        }
    }

    static func words(for error: URLError, received: Int, timeout: Double?) -> String {
        switch error.code {
        case .timedOut: "no data for \(Int(timeout ?? 0)) s (timed out)"
        case .cannotConnectToHost: "connection refused"
        case .cannotFindHost, .dnsLookupFailed: "host not found"
        case .notConnectedToInternet: "no network"
        case .networkConnectionLost: "connection lost after \(received) bytes"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
            "TLS failed (\(error.localizedDescription))"
        default: error.localizedDescription
        }
    }
}
