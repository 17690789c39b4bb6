extension Platform {
    /// What the engine runs on as fields of a JSON record: the run log's start record, `bench --json`.
    public static var fields: [(String, JSONValue)] {
        [("blas", .string(BLASKernel.library)), ("blas_kernel", .string(BLASKernel.coreName)),
         ("blas_summary", .string(BLASKernel.summary)), ("cpu", .string(CPUInfo.current.summary)),
         ("subnormals", .string(Subnormals.setting(flushing: Subnormals.flushedOnThisThread)))]
    }
}
