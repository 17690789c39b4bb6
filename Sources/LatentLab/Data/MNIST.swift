import Foundation

/// MNIST, or a set in its format (Fashion-MNIST), from the four standard IDX files in a directory the user names.
public enum MNIST {
    public static let labelNames = DataSet.mnist.labelNames

    /// `set` names the images (`fashion-mnist-train`) and their labels.
    public static func load(directory: String, as set: DataSet = .mnist) throws(DataError)
        -> (train: ImageDataset, test: ImageDataset) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError("data directory not found: \(directory)")
        }
        let train = try split("train", images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte",
                              in: directory, set: set)
        let test = try split("test", images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte",
                             in: directory, set: set)
        return (train, test)
    }

    private static func split(_ part: String, images: String, labels: String, in directory: String,
                              set: DataSet) throws(DataError) -> ImageDataset {
        let imagePath = try IDXReader.locate(images, in: directory)
        let labelPath = try IDXReader.locate(labels, in: directory)
        let x = try IDXReader.images(imagePath)
        let y = try IDXReader.labels(labelPath)
        guard x.rows == 28 && x.cols == 28 else {
            throw DataError("\(imagePath): images are \(x.rows)x\(x.cols), MNIST's are 28x28")
        }
        guard x.count > 0 else { throw DataError("\(imagePath): holds no images") }
        guard x.count == y.count else {
            throw DataError("\(part): \(x.count) images (\(imagePath)) but \(y.count) labels (\(labelPath))")
        }
        if let bad = y.first(where: { $0 > 9 }) { throw DataError("\(labelPath): label \(bad) is not a digit 0-9") }
        return ImageDataset(name: "\(set.name)-\(part)", count: x.count, height: 28, width: 28, pixels: x.pixels,
                            labels: y, labelNames: set.labelNames)
    }
}
