/// Greyscale images kept as UInt8 (0...255), one label each.
public struct ImageDataset: Sendable {
    public let name: String
    public let count: Int
    public let height: Int
    public let width: Int
    public let pixels: [UInt8]
    public let labels: [UInt8]
    public let labelNames: [String]
    public var dimension: Int { height * width }

    public init(name: String, count: Int, height: Int, width: Int, pixels: [UInt8], labels: [UInt8],
                labelNames: [String]) {
        precondition(pixels.count == count * height * width && labels.count == count, "dataset sizes disagree")
        self.name = name
        self.count = count
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.labelNames = labelNames
    }

    public func subset(_ range: Range<Int>, name: String) -> ImageDataset {
        let d = dimension
        return ImageDataset(name: name, count: range.count, height: height, width: width,
                            pixels: Array(pixels[(range.lowerBound * d)..<(range.upperBound * d)]),
                            labels: Array(labels[range]), labelNames: labelNames)
    }

    public func meanIntensity() -> [Float] {
        let d = dimension
        var sums = [Double](repeating: 0, count: d)
        for i in 0..<count { for j in 0..<d { sums[j] += Double(pixels[i * d + j]) } }
        return sums.map { Float($0 / Double(max(count, 1)) / 255) }
    }
}

/// A data problem a user can fix: printed as one line naming the file and what is wrong.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
