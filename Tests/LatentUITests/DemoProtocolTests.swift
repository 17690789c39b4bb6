import Dispatch
@testable import LatentLab
import Testing
@testable import LatentUI

/// Every demo through one protocol: keys queue work on the demo's worker (never run on the UI thread), one
/// key list feeds the footer and the help, and a running demo steps on tick.
struct DemoProtocolTests {
    @Test func keysQueueWorkAndTheScreenShowsItWhenDone() {
        let demo = BinPackLiveDemo(BinPackDemo(seed: 1))
        #expect(demo.handle(.character("M")) == .handled)
        #expect(demo.handle(.character("p")) == .handled)
        demo.settle()
        #expect(demo.snapshot.step == 100 && demo.snapshot.family == .full, "the work ran, in order")
        #expect(demo.render(width: 120, height: 40).text.contains("step 100"))
        #expect(demo.handle(.character(" ")) == .handled && demo.options.running)
        demo.tick()
        demo.settle()
        #expect(demo.snapshot.step == 101, "running: a tick queues `speed` steps")
        #expect(demo.handle(.escape) == .quit)
    }

    @Test func theEnumerationDemoRunsOnItsWorkerToo() {
        let demo = EnumerationLiveDemo(EnumerationDemo(states: 4, seed: 1))
        _ = demo.handle(.character("N"))
        _ = demo.handle(.character("c"))
        _ = demo.handle(.character("n"))
        demo.settle()
        #expect(demo.snapshot.states == 100 && demo.snapshot.step == 1)
        demo.tick()
        demo.settle()
        #expect(demo.snapshot.step == 1, "paused: tick does nothing")
    }

    @Test func oneKeyListFeedsTheFooterAndTheHelp() {
        let demos: [any Demo] = [BinPackLiveDemo(BinPackDemo(seed: 1)), EnumerationLiveDemo(EnumerationDemo())]
        for demo in demos {
            let footer = DemoKey.footer(demo.keys)
            #expect(demo.render(width: 120, height: 40).text.split(separator: "\n").last!.contains(footer))
            var canvas = Canvas(width: 120, height: 40)
            Overlays.help(into: &canvas, keys: DemoKey.help(demo.keys))
            for key in demo.keys { #expect(canvas.text.contains(key.action)) }
            #expect(demo.keys.contains { $0.keys == "S" }, "the screenshot key is in every demo's help")
        }
    }

    /// Closing drops the work not yet started and waits for the running one: the work queued before the close
    /// never runs, the work queued after it does.
    @Test func closingDropsTheQueuedWork() {
        let worker = DemoWorker([Int](), name: "test") { $0 }
        let started = DispatchSemaphore(value: 0), gate = DispatchSemaphore(value: 0)
        worker.perform { model in
            started.signal()
            gate.wait()
            model.append(0)
        }
        for i in 1..<50 { worker.perform { $0.append(i) } }
        started.wait()
        worker.dropQueued()
        gate.signal()
        worker.wait()
        #expect(worker.latest == [0] && !worker.isBusy)
        worker.perform { $0.append(50) }
        worker.wait()
        #expect(worker.latest == [0, 50])
    }

    @Test func theWorkerRunsWorkInOrderOffTheCallingThread() {
        let worker = DemoWorker([Int](), name: "test") { $0 }
        for i in 0..<50 { worker.perform { $0.append(i) } }
        worker.wait()
        #expect(worker.latest == Array(0..<50) && !worker.isBusy)
    }
}
