//! `quantize`: ONNX fp32 to int8 / fp16, with an accuracy and size report.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = quantize::Args::parse();
    modelci_cli::finish("quantize", quantize::run(&args))
}
