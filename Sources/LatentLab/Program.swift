/// The program's own identity, for `--version`, run logs and checkpoints' metadata.
public enum Program {
    public static let version = "0.9.0"
}
