import Foundation

/// A data set vae-tui can fetch and recognise: MNIST's four IDX files under their usual names, where they are
/// published, and the checksums their publishers list.
public struct DataSet: Sendable, Equatable {
    /// The name on the command line, in logs and in the cache: `mnist`, `fashion-mnist`.
    public let name: String
    public let title: String
    /// Base URLs, tried in order, under which the files are found by their names.
    public let mirrors: [String]
    public let files: [DataSetFile]
    public let labelNames: [String]

    public static let mnist = DataSet(
        name: "mnist", title: "MNIST",
        // torchvision's mirrors, in its order (torchvision/datasets/mnist.py).
        mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
        files: [
            // MD5 of the .gz files as torchvision lists them; of the IDX bytes inside, as they were published
            // with MNIST.
            DataSetFile(name: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                        rawMD5: "6bbc9ace898e44ae57da46a324031adb", rawBytes: 47_040_016),
            DataSetFile(name: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432",
                        rawMD5: "a25bea736e30d166cdddb491f175f624", rawBytes: 60_008),
            DataSetFile(name: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3",
                        rawMD5: "2646ac647ad5339dbf082846283269ea", rawBytes: 7_840_016),
            DataSetFile(name: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c",
                        rawMD5: "27ae3e4e09519cfbb04c329615203637", rawBytes: 10_008),
        ],
        labelNames: (0...9).map(String.init))

    public static let fashionMNIST = DataSet(
        name: "fashion-mnist", title: "Fashion-MNIST",
        // Zalando's own mirror, as torchvision and the Fashion-MNIST README give it.
        mirrors: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        files: [
            // MD5 of the .gz files from the Fashion-MNIST README (and torchvision); the IDX bytes' are not published.
            DataSetFile(name: "train-images-idx3-ubyte.gz", md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d", rawMD5: nil,
                        rawBytes: 47_040_016),
            DataSetFile(name: "train-labels-idx1-ubyte.gz", md5: "25c81989df183df01b3e8a0aad5dffbe", rawMD5: nil,
                        rawBytes: 60_008),
            DataSetFile(name: "t10k-images-idx3-ubyte.gz", md5: "bef4ecab320f06d8554ea6380940ec79", rawMD5: nil,
                        rawBytes: 7_840_016),
            DataSetFile(name: "t10k-labels-idx1-ubyte.gz", md5: "bb300cfdad3c16e7a12a480ee83cd310", rawMD5: nil,
                        rawBytes: 10_008),
        ],
        labelNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                     "Ankle boot"])

    /// Every set `data fetch` knows.
    public static let all = [mnist, fashionMNIST]

    public static func named(_ name: String) -> DataSet? { all.first { $0.name == name } }

    public init(name: String, title: String, mirrors: [String], files: [DataSetFile], labelNames: [String]) {
        self.name = name
        self.title = title
        self.mirrors = mirrors
        self.files = files
        self.labelNames = labelNames
    }

    /// The file that tells the sets apart cheaply: the training labels, 28 KB gzipped.
    var labelsFile: DataSetFile { files.first { $0.name.hasPrefix("train-labels") } ?? files[0] }
}

/// One file of a data set: its name as published (gzipped), and how to know it is the right one.
public struct DataSetFile: Sendable, Equatable {
    public let name: String
    /// MD5 of the .gz file as published.
    public let md5: String
    /// MD5 of the IDX bytes inside, when known: a copy gzipped again (other bytes, same data) is accepted by it,
    /// and so is the file placed uncompressed.
    public let rawMD5: String?
    /// The IDX file's size uncompressed: how far a .gz may inflate.
    public let rawBytes: Int

    public init(name: String, md5: String, rawMD5: String?, rawBytes: Int) {
        self.name = name
        self.md5 = md5
        self.rawMD5 = rawMD5
        self.rawBytes = rawBytes
    }

    /// The name without `.gz`: the file as `gunzip` leaves it, which the loader also reads.
    public var rawName: String { name.hasSuffix(".gz") ? String(name.dropLast(3)) : name }
}
