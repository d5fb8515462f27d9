//! The `hf-lineage` binary: the command line of the library ([`hf_lineage::cli::main`]).

use std::process::ExitCode;

/// mimalloc: whole-Hub graphs allocate tens of millions of small strings and lists; it is
/// faster than the system allocator at that and returns memory in larger pieces.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ExitCode::from(hf_lineage::cli::main(std::env::args_os()))
}
