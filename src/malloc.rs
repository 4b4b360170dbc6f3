//! glibc allocator settings for a long-running server. Measured on the 5000-service
//! benchmark (see ARCHITECTURE.md, Memory):
//!
//! * one arena instead of one per thread: the per-thread arenas held over 100 MB that the
//!   server no longer used (peak 188 MB before, 31 MB after);
//! * arrays of up to 16 MiB come from the heap and up to 32 MiB of free heap is kept:
//!   every analysis allocates and frees a few multi-megabyte arrays, and fresh `mmap`s
//!   cost page faults each time (analysis went from 1.95x to 1.85x the raw parse).
//!
//! Each setting is left alone when the user set its `MALLOC_*` environment variable.

/// Applies the settings; call it before any thread starts.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::ffi::c_int;
        unsafe extern "C" {
            fn mallopt(param: c_int, value: c_int) -> c_int;
        }
        const M_TRIM_THRESHOLD: c_int = -1;
        const M_MMAP_THRESHOLD: c_int = -3;
        const M_ARENA_MAX: c_int = -8;
        let settings = [
            ("MALLOC_ARENA_MAX", M_ARENA_MAX, 1),
            ("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD, 16 << 20),
            ("MALLOC_TRIM_THRESHOLD_", M_TRIM_THRESHOLD, 32 << 20),
        ];
        for (env, param, value) in settings {
            if std::env::var_os(env).is_none() {
                // SAFETY: mallopt only tunes the allocator; callers run this before any
                // other thread exists.
                unsafe {
                    mallopt(param, value);
                }
            }
        }
    }
}
