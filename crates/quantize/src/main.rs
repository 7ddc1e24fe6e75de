//! `quantize`: ONNX fp32 to int8 / fp16, with an accuracy and size report.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = match modelci_cli::sanitize::parse_args::<quantize::Args>("quantize") {
        Ok(args) => args,
        Err(code) => return code,
    };
    args.batch_size_given = quantize::batch_size_given();
    modelci_cli::finish("quantize", quantize::run(&args))
}
