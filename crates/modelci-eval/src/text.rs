//! Texts into token ids with a Hugging Face `tokenizer.json` (the `tokenizers` crate, built
//! without its C regex engine: `fancy-regex` instead of `onig`).
//!
//! The tokenizer's own truncation and padding settings are replaced by the model's sequence
//! length (or `--max-length`): every text becomes exactly that many tokens, special tokens
//! included, padded with the tokenizer's padding token (`[PAD]`, `<pad>`, else id 0). A text
//! that is longer is truncated the way the tokenizer truncates, and counted — or refused with
//! `--no-truncate`. Only binaries that evaluate texts enable this module (feature `text`).

use std::path::{Path, PathBuf};

use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::error::EvalError;

/// A tokenizer file, loaded.
#[derive(Clone)]
pub struct TextEncoder {
    path: PathBuf,
    tokenizer: Tokenizer,
    /// The tokenizer without truncation or padding, for [`TextEncoder::stats`].
    plain: Tokenizer,
    /// The vocabulary's unknown token.
    unknown: Option<u32>,
    max_length: Option<usize>,
    truncate: bool,
}

impl std::fmt::Debug for TextEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextEncoder")
            .field("path", &self.path)
            .field("max_length", &self.max_length)
            .field("truncate", &self.truncate)
            .finish_non_exhaustive()
    }
}

/// One text as model inputs, each exactly the sequence length long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// Token ids.
    pub ids: Vec<i64>,
    /// 1 for tokens, 0 for padding.
    pub attention_mask: Vec<i64>,
    /// Segment ids (0 for a single text).
    pub type_ids: Vec<i64>,
    /// Whether the text was longer and was cut.
    pub truncated: bool,
}

impl TextEncoder {
    /// Loads `tokenizer.json`. `max_length` is `--max-length`; `truncate` is false with
    /// `--no-truncate`.
    ///
    /// # Errors
    /// [`EvalError::Io`] when the file cannot be read, [`EvalError::BadDataset`] naming it when
    /// it is not a tokenizer file the `tokenizers` crate can read.
    pub fn load(path: &Path, max_length: Option<usize>, truncate: bool) -> Result<Self, EvalError> {
        let bytes = std::fs::read(path).map_err(|e| EvalError::io(path, e))?;
        let tokenizer = Tokenizer::from_bytes(&bytes).map_err(|e| {
            EvalError::dataset(
                path,
                format!(
                    "not a Hugging Face tokenizer.json: {}",
                    one_line(&e.to_string())
                ),
            )
        })?;
        let mut plain = tokenizer.clone();
        plain.with_padding(None);
        plain
            .with_truncation(None)
            .map_err(|e| EvalError::dataset(path, format!("cannot turn truncation off: {e}")))?;
        let unknown = ["[UNK]", "<unk>", "<UNK>"]
            .iter()
            .find_map(|t| plain.token_to_id(t));
        Ok(Self {
            path: path.to_owned(),
            tokenizer,
            plain,
            unknown,
            max_length,
            truncate,
        })
    }

    /// The tokenizer file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `--max-length`, if given.
    #[must_use]
    pub fn max_length(&self) -> Option<usize> {
        self.max_length
    }

    /// Whether longer texts are truncated (else refused).
    #[must_use]
    pub fn truncates(&self) -> bool {
        self.truncate
    }

    /// Length and unknown tokens of `text`, tokenized without special tokens, truncation or
    /// padding. The unknown token is the first of `[UNK]`, `<unk>`, `<UNK>` the vocabulary has
    /// (none: no token counts as unknown).
    ///
    /// # Errors
    /// A message when the tokenizer fails.
    pub fn stats(&self, text: &str) -> Result<crate::features::TextStats, String> {
        let encoding = self
            .plain
            .encode(text, false)
            .map_err(|e| format!("the tokenizer failed: {e}"))?;
        let unknown = self.unknown.map_or(0, |unk| {
            encoding.get_ids().iter().filter(|&&id| id == unk).count()
        });
        Ok(crate::features::TextStats {
            tokens: encoding.get_ids().len(),
            chars: text.chars().count(),
            unknown,
        })
    }

    /// A copy that truncates and pads to `length` tokens.
    ///
    /// # Errors
    /// A message when the tokenizer refuses the truncation settings.
    pub fn sized(&self, length: usize) -> Result<Self, String> {
        let mut tokenizer = self.tokenizer.clone();
        let (pad_id, pad_type_id, pad_token) = match tokenizer.get_padding() {
            Some(p) => (p.pad_id, p.pad_type_id, p.pad_token.clone()),
            None => ["[PAD]", "<pad>", "<PAD>"]
                .iter()
                .find_map(|t| tokenizer.token_to_id(t).map(|id| (id, 0, (*t).to_owned())))
                .unwrap_or((0, 0, "[PAD]".to_owned())),
        };
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: length,
                ..TruncationParams::default()
            }))
            .map_err(|e| format!("cannot truncate to {length} tokens: {e}"))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::Fixed(length),
            pad_id,
            pad_type_id,
            pad_token,
            ..PaddingParams::default()
        }));
        Ok(Self {
            tokenizer,
            ..self.clone()
        })
    }

    /// Encodes `text` (special tokens added), truncated and padded as set by [`Self::sized`].
    ///
    /// # Errors
    /// A message when the tokenizer fails, or the text is too long and truncation is off.
    pub fn encode(&self, text: &str) -> Result<Encoded, String> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| format!("the tokenizer failed: {e}"))?;
        let truncated = !encoding.get_overflowing().is_empty();
        if truncated && !self.truncate {
            let full = self
                .tokenizer
                .clone()
                .with_truncation(None)
                .map_err(|e| e.to_string())?
                .encode(text, true)
                .map_or(0, |e| e.get_ids().len());
            return Err(format!(
                "the text is {full} tokens long but the model takes {} (--no-truncate)",
                encoding.get_ids().len()
            ));
        }
        let wide = |v: &[u32]| v.iter().map(|&x| i64::from(x)).collect::<Vec<_>>();
        Ok(Encoded {
            ids: wide(encoding.get_ids()),
            attention_mask: wide(encoding.get_attention_mask()),
            type_ids: wide(encoding.get_type_ids()),
            truncated,
        })
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
