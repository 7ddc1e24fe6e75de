//! The global allocator of every binary that runs a model: declared here, once, because every
//! such binary (eval-diff, train-check, quantize, deploy-notify) links this crate.
//!
//! With `--jobs 2`, glibc's malloc gives the second worker thread an arena of its own and
//! trims that arena back to the kernel whenever the top of it is free, which for tract is
//! after every run: each batch then page-faults its scratch buffers in again (1.18 s of system
//! time on 100k samples, against 0.03 s with one worker; BENCHMARKS.md, "Engines"). mimalloc
//! keeps freed pages in per-thread heaps for reuse, so the second worker runs as fast as the
//! first. Measured against the alternatives (glibc tuned with `mallopt`, which would need
//! `unsafe` that the workspace forbids) in BENCHMARKS.md.

/// mimalloc, for every allocation of the process.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
