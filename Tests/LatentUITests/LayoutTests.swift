import Testing
@testable import LatentUI

/// `Layout` splits rows and columns: sizes, the order in which parts give way, and no space at all.
@Suite struct LayoutTests {
    @Test func fixedProportionalAndFill() {
        #expect(Layout.sizes(100, [.length(10), .percent(30), .fill()]) == [10, 30, 60])
        #expect(Layout.sizes(38, [.length(1), .fill(), .length(1)]) == [1, 36, 1])
        #expect(Layout.sizes(22, [.fill(), .ratio(2, 5, min: 9)]) == [13, 9], "the minimum as a floor")
        #expect(Layout.sizes(42, [.fill(), .ratio(2, 5, min: 9)]) == [26, 16])
        #expect(Layout.sizes(10, [.fill(1), .fill(3)]) == [3, 7], "fills share by weight")
        #expect(Layout.sizes(11, [.fill(), .fill()]) == [6, 5], "the first fill takes the odd cell")
        #expect(Layout.sizes(20, [.length(5), .length(5)]) == [5, 5], "without a fill spare cells stay unused")
        #expect(Layout.sizes(20, [.min(8), .length(5)]) == [15, 5])
    }

    @Test func theSizesNeverAddUpToMoreThanTheTotal() {
        let parts: [Constraint] = [.length(7, min: 3), .percent(40, min: 5, priority: 2), .fill(2, min: 4), .min(6),
                                   .ratio(1, 3, priority: 1)]
        for total in -5...60 {
            let sizes = Layout.sizes(total, parts)
            #expect(sizes.count == parts.count && sizes.allSatisfy { $0 >= 0 })
            #expect(sizes.reduce(0, +) <= max(0, total), "\(total): \(sizes)")
            #expect(zip(sizes, parts).allSatisfy { $0 == 0 || $0 >= $1.minimum }, "drawn cut at \(total): \(sizes)")
        }
    }

    @Test func lowerPrioritiesShrinkFirstThenVanish() {
        let parts: [Constraint] = [.fill(min: 8), .length(18, min: 13, priority: 1)]
        #expect(Layout.sizes(30, parts) == [12, 18])
        #expect(Layout.sizes(26, parts) == [8, 18], "the fill shrinks to its minimum first")
        #expect(Layout.sizes(23, parts) == [8, 15], "then the knobs towards theirs")
        #expect(Layout.sizes(20, parts) == [0, 18], "then the fill vanishes; the knobs grow back")
        #expect(Layout.sizes(12, parts) == [0, 0], "and below every minimum nothing is drawn cut")
        // Within a priority the later part gives way first, evenly once both shrink.
        #expect(Layout.sizes(16, [.length(10, min: 2), .length(10, min: 2)]) == [8, 8])
        #expect(Layout.sizes(10, [.length(8), .length(8)]) == [8, 0])
    }

    @Test func noSpace() {
        #expect(Layout.sizes(0, [.length(3), .fill()]) == [0, 0])
        #expect(Layout.sizes(-4, [.percent(50), .fill(min: 1)]) == [0, 0])
        #expect(Layout.sizes(5, []) == [])
        let empty = Rect(x: 2, y: 3, width: 10, height: -1)
        #expect(Layout.rows(empty, [.fill()]) == [Rect(x: 2, y: 3, width: 10, height: 0)])
    }

    @Test func rowsAndColumnsFollowEachOther() {
        let r = Rect(x: 4, y: 2, width: 30, height: 12)
        #expect(Layout.rows(r, [.length(2), .fill(), .length(3)])
            == [Rect(x: 4, y: 2, width: 30, height: 2), Rect(x: 4, y: 4, width: 30, height: 7),
                Rect(x: 4, y: 11, width: 30, height: 3)])
        #expect(Layout.columns(r, [.percent(60, min: 20), .fill()])
            == [Rect(x: 4, y: 2, width: 20, height: 12), Rect(x: 24, y: 2, width: 10, height: 12)])
    }
}
