//! A CSV file read row by row, as fast as its contents allow.
//!
//! Most CSV files drift-check reads are plain: UTF-8, LF or CRLF line ends, quotes only around
//! whole fields. Those are split by `simd-csv`, which finds the commas and line ends sixteen
//! bytes at a time (three times faster than the `csv` crate on a million rows of numbers). Its
//! reader trades the `csv` crate's leniency for that speed (a stray quote inside a field, a
//! lone CR as line end or invalid UTF-8 would be read differently or not at all), so a row it
//! cannot vouch for sends the whole file back to the start, read by the `csv` crate, the one
//! behaviour users see: the same rows, and the same errors with their row numbers.

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;

use anyhow::Context as _;
use simd_csv::{ZeroCopyByteRecord, ZeroCopyReaderBuilder};

/// Bytes read from the file at a time.
const BUFFER_BYTES: usize = 1 << 16;

/// What receives the rows of a CSV file.
pub(crate) trait RowSink {
    /// Called with the header row before any row; called again, to start over, when the file
    /// is read a second time (so it resets whatever the rows built).
    ///
    /// # Errors
    /// When the header does not suit the reader (a missing column): the read stops there.
    fn begin(&mut self, headers: &[String]) -> anyhow::Result<()>;

    /// One row, after the header.
    fn row(&mut self, row: &Row<'_>);
}

/// One row's cells.
pub(crate) enum Row<'r> {
    /// Split by simd-csv; `quoted` when some cell is quoted (and must be unescaped).
    Fast {
        record: &'r ZeroCopyByteRecord<'r>,
        quoted: bool,
    },
    /// Read by the csv crate.
    Full(&'r csv::StringRecord),
}

impl Row<'_> {
    /// Cell `index`, unquoted; empty when the row has no such cell.
    pub(crate) fn cell(&self, index: usize) -> Cow<'_, [u8]> {
        match self {
            Self::Fast {
                record,
                quoted: false,
            } => Cow::Borrowed(record.get(index).unwrap_or_default()),
            Self::Fast { record, .. } => record.unescape(index).unwrap_or_default(),
            Self::Full(record) => Cow::Borrowed(record.get(index).unwrap_or("").as_bytes()),
        }
    }
}

/// Cell text as UTF-8 (rows reach a [`RowSink`] only once their UTF-8 is checked; a cell of
/// a checked row is valid, so the replacement never shows).
pub(crate) fn text(cell: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(cell)
}

/// Reads every row of `path` into `sink`.
///
/// # Errors
/// One line naming the file: unreadable, no header, a malformed row (with its number), or
/// what [`RowSink::begin`] refuses.
pub(crate) fn read(path: &Path, sink: &mut dyn RowSink) -> anyhow::Result<()> {
    match read_fast(path, sink)? {
        Fast::Done => Ok(()),
        Fast::NotPlain => read_full(path, sink),
    }
}

/// How the fast reader ended.
enum Fast {
    /// Every row was read.
    Done,
    /// A row was not plain: the file must be read by the csv crate.
    NotPlain,
}

/// Reads `path` with simd-csv while every row is plain.
fn read_fast(path: &Path, sink: &mut dyn RowSink) -> anyhow::Result<Fast> {
    let file = File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut reader = ZeroCopyReaderBuilder::new()
        .flexible(false)
        .buffer_capacity(BUFFER_BYTES)
        .from_reader(file);
    let Ok(header) = reader.byte_headers() else {
        return Ok(Fast::NotPlain);
    };
    if !header.iter().all(plain_cell) {
        return Ok(Fast::NotPlain);
    }
    let mut headers = Vec::with_capacity(header.len());
    for name in header.iter() {
        match std::str::from_utf8(name) {
            Ok(name) => headers.push(name.to_owned()),
            Err(_) => return Ok(Fast::NotPlain),
        }
    }
    sink.begin(&headers)?;
    loop {
        let record = match reader.read_byte_record() {
            Ok(Some(record)) => record,
            Ok(None) => return Ok(Fast::Done),
            // The csv crate reads it again and names the row.
            Err(_) => return Ok(Fast::NotPlain),
        };
        let bytes = record.as_slice();
        if std::str::from_utf8(bytes).is_err() {
            return Ok(Fast::NotPlain);
        }
        let quoted = memchr::memchr2(b'"', b'\r', bytes).is_some();
        if quoted && !record.iter().all(plain_cell) {
            return Ok(Fast::NotPlain);
        }
        sink.row(&Row::Fast {
            record: &record,
            quoted,
        });
    }
}

/// Whether simd-csv reads the raw cell as the csv crate does: no CR (simd-csv does not end a
/// line at a lone CR) and either no quote or a whole quoted field whose inner quotes are
/// doubled.
fn plain_cell(cell: &[u8]) -> bool {
    if cell.contains(&b'\r') {
        return false;
    }
    if !cell.contains(&b'"') {
        return true;
    }
    let Some(inner) = cell
        .strip_prefix(b"\"")
        .and_then(|rest| rest.strip_suffix(b"\""))
    else {
        return false;
    };
    // Inner quotes come in pairs: `""` stands for one quote.
    let mut quotes = inner.split(|&b| b == b'"').skip(1);
    loop {
        match (quotes.next(), quotes.next()) {
            (None, _) => return true,
            (Some([]), Some(_)) => {}
            _ => return false,
        }
    }
}

/// Reads `path` with the csv crate, from the start.
fn read_full(path: &Path, sink: &mut dyn RowSink) -> anyhow::Result<()> {
    let (mut reader, headers) = open(path)?;
    sink.begin(&headers)?;
    let mut record = csv::StringRecord::new();
    let mut number = 1u64;
    loop {
        number += 1;
        let more = reader
            .read_record(&mut record)
            .with_context(|| format!("{}: row {number}", path.display()))?;
        if !more {
            return Ok(());
        }
        sink.row(&Row::Full(&record));
    }
}

/// Opens a CSV file with the csv crate and reads its header row (for the readers that need
/// only some rows, or every cell as text).
///
/// # Errors
/// One line naming the file: unreadable, or no readable header row.
pub(crate) fn open(path: &Path) -> anyhow::Result<(csv::Reader<File>, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        // Larger reads than csv's 8 KiB: fewer system calls on large files.
        .buffer_capacity(BUFFER_BYTES)
        .from_path(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    Ok((reader, headers))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Collects rows as text, and how often it was started.
    #[derive(Default)]
    struct Collect {
        begun: usize,
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    }

    impl RowSink for Collect {
        fn begin(&mut self, headers: &[String]) -> anyhow::Result<()> {
            self.begun += 1;
            self.headers = headers.to_vec();
            self.rows.clear();
            Ok(())
        }

        fn row(&mut self, row: &Row<'_>) {
            let cells = (0..self.headers.len())
                .map(|i| text(&row.cell(i)).into_owned())
                .collect();
            self.rows.push(cells);
        }
    }

    /// What the csv crate alone reads.
    fn full(path: &Path) -> anyhow::Result<Collect> {
        let mut sink = Collect::default();
        read_full(path, &mut sink)?;
        Ok(sink)
    }

    fn both(bytes: &[u8]) -> (anyhow::Result<Collect>, anyhow::Result<Collect>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut sink = Collect::default();
        let fast = read(&path, &mut sink).map(|()| sink);
        (fast, full(&path))
    }

    /// Every file reads as the csv crate reads it: the same header, rows and errors (with the
    /// row numbers), whichever reader ran.
    #[test]
    fn files_read_as_the_csv_crate_reads_them() {
        let files: [&[u8]; 17] = [
            b"a,b\n1,2\n3,4\n",
            b"a,b\r\n1,2\r\n3,4\r\n",
            b"a,b\n1,2\n\n3,4\n",
            b"a,b\n\"x,y\",2\n\"q\"\"z\",4",
            b"a,b\rx,2\r3,4\r",
            b"a,b\njoh\"n,2\n3,4\n",
            b"a,b\n1,2,3\n",
            b"a,b\n\"1\"x,2\n",
            b"a,b\n\"1\" ,2\n",
            b"\xef\xbb\xbfa,b\n1,2\n",
            b"a,b\n1, 2 \n",
            b"a,b\n1,2",
            b"a,b\n1\n",
            b"a\n1\n\n2\n",
            b"a,b\n1,\xff\n",
            b"\"a\"\"\",b\n\"\",\"\"\"\"\n",
            b"a,b\n\"multi\nline\",2\n",
        ];
        for bytes in files {
            let shown = String::from_utf8_lossy(bytes);
            match both(bytes) {
                (Ok(fast), Ok(full)) => {
                    assert_eq!(fast.headers, full.headers, "{shown:?}");
                    assert_eq!(fast.rows, full.rows, "{shown:?}");
                }
                (Err(fast), Err(full)) => {
                    assert_eq!(fast.to_string(), full.to_string(), "{shown:?}");
                }
                (fast, full) => panic!(
                    "{shown:?}: {:?} vs {:?}",
                    fast.map(|c| c.rows),
                    full.map(|c| c.rows)
                ),
            }
        }
    }

    /// A plain file is read once; one with a stray quote starts over with the csv crate, and
    /// the sink starts over with it.
    #[test]
    fn a_row_that_is_not_plain_starts_the_file_over() {
        let (plain, _) = both(b"a,b\n1,2\n\"3\",\"x\"\"y\"\n");
        let plain = plain.unwrap();
        assert_eq!(plain.begun, 1);
        assert_eq!(plain.rows, [["1", "2"], ["3", "x\"y"]]);
        let (stray, _) = both(b"a,b\n1,2\njoh\"n,2\n3,4\n");
        let stray = stray.unwrap();
        assert_eq!(stray.begun, 2);
        assert_eq!(stray.rows, [["1", "2"], ["joh\"n", "2"], ["3", "4"]]);
    }

    #[test]
    fn plain_cells_are_unquoted_or_wholly_quoted() {
        for cell in ["", "1.5", "\"\"", "\"a,b\"", "\"a\"\"b\"", "\"\"\"\""] {
            assert!(plain_cell(cell.as_bytes()), "{cell:?}");
        }
        for cell in ["a\"b", "\"a", "\"a\"b\"", "\"a\" ", "\"", "a\rb", "\"\"\""] {
            assert!(!plain_cell(cell.as_bytes()), "{cell:?}");
        }
    }
}
