fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    portside::cli::main()
}

/// glibc gives every thread that allocates its own malloc arena and seldom returns their
/// memory: measured on the 5000-service benchmark, the server peaked at 188 MB with the
/// default arenas and at a fraction of that with one. A language server is not limited
/// by allocation throughput, so it uses one arena, unless the user chose otherwise with
/// `MALLOC_ARENA_MAX`.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::ffi::c_int;
        unsafe extern "C" {
            fn mallopt(param: c_int, value: c_int) -> c_int;
        }
        const M_ARENA_MAX: c_int = -8;
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: mallopt only tunes the allocator; it runs before any thread exists.
            unsafe {
                mallopt(M_ARENA_MAX, 1);
            }
        }
    }
}
