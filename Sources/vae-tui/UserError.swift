import ArgumentParser
import LatentLab

/// A problem in what the user gave us: printed as one line, exit status 1.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints `vae-tui: error: …` and exits 1 for the errors a user can fix; anything else propagates.
func reportingUserErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as DataError {
        throw fail(e.description)
    } catch let e as CheckpointError {
        throw fail(e.description)
    } catch let e as UserError {
        throw fail(e.description)
    }
}

func fail(_ message: String) -> ExitCode {
    Terminal.error("vae-tui: error: \(message)")
    return ExitCode(1)
}
