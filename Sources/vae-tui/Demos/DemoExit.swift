/// How a demo ended: back to whoever opened it, or the program should quit (Ctrl-C, a signal).
enum DemoExit {
    case back, quit
}
