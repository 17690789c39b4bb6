// swift-tools-version:6.0
import PackageDescription




let package = Package(
    name: "vae-tui",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vae-tui", targets: ["vae-tui"]),
        .library(name: "LatentLab", targets: ["LatentLab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Hot elementwise loops, optimised even in debug builds so tests stay quick.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),
        .target(name: "LatentLab", dependencies: ["CBLAS", "CZlib", "CKernels"]),
        // The screen model: cells and widgets, no curses, testable as text.
        .target(name: "LatentUI", dependencies: ["LatentLab"]),
        // The terminal: ncursesw, with C wrappers for what Swift cannot import (macros, globals).
        .target(name: "CCurses", linkerSettings: [.linkedLibrary("ncursesw")]),
        // Downloads data sets over HTTP(S) with Foundation's URLSession; the engine itself never touches the network.
        .target(name: "DataFetch", dependencies: ["LatentLab"]),
        .executableTarget(
            name: "vae-tui",
            dependencies: ["LatentLab", "LatentUI", "DataFetch", "CCurses", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            // assets/presets (a link to it), compiled into the binary: an installed vae-tui needs no files beside it.
            resources: [.embedInCode("Presets/Files")]
        ),
        .testTarget(name: "LatentLabTests", dependencies: ["LatentLab", "CZlib", "TestSupport"]),
        .testTarget(name: "LatentUITests", dependencies: ["LatentUI"], exclude: ["Snapshots"]),
        .testTarget(name: "CLITests", dependencies: ["vae-tui", "TestSupport"]),
        .testTarget(name: "DataFetchTests", dependencies: ["DataFetch", "LatentLab", "TestSupport"]),
        // What more than one test target uses: the real MNIST when it is here, the local HTTP server fetches are tested on.
        .target(name: "TestSupport", path: "Tests/TestSupport", exclude: ["fixture_server.py"]),
    ],
    swiftLanguageModes: [.v6]
)
