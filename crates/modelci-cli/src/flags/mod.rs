//! The flag groups every binary flattens into its own `Args`, so that a flag shared by two
//! binaries is defined once and reads the same in both `--help` texts.
//!
//! | group | heading | binaries |
//! |---|---|---|
//! | [`OutputArgs`] | Output | eval-diff, train-check, quantize |
//! | [`PostArgs`] | Posting | eval-diff, train-check, quantize |
//! | [`ModelArgs`] (feature `model`) | Data | eval-diff, train-check, quantize |
//! | [`TextArgs`] (feature `model`) | Texts | eval-diff |
//!
//! A binary adds its own flags next to the group (eval-diff's `--post-from` sits under the same
//! heading as [`PostArgs`]). New model-running flags (input shapes, resizing, tokenizers, engine,
//! jobs) belong in [`ModelArgs`], in `flags/model.rs`, together with their conversion into the
//! evaluation core's options, so that all three binaries get them at once.

mod output;
mod post;

#[cfg(feature = "model")]
mod model;

#[cfg(feature = "model")]
pub use model::{
    EngineArg, ImageSize, ImageSizeError, Layout, ModelArgs, ModelArgsError, ModelSettings,
    TextArgs,
};
pub use output::OutputArgs;
pub use post::{CommentMode, PostArgs};
