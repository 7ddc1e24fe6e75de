//! Splitting a report into the sections a size-limited comment can drop, and rewriting its
//! image references for where the Markdown is shown.
//!
//! Reports put details in `<details>` blocks; everything outside them is the summary a reviewer
//! must see. So the split is: text outside `<details>` is kept, each `<details>…</details>`
//! block is droppable.

use modelci_forge::Section;

/// Splits `markdown` into kept text and droppable `<details>` blocks, in order.
#[must_use]
pub fn split(markdown: &str) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut current = String::new();
    let mut in_details = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if !in_details && trimmed.starts_with("<details") {
            push(&mut sections, &mut current, false);
            in_details = true;
        }
        current.push_str(line);
        current.push('\n');
        if in_details && trimmed.starts_with("</details>") {
            push(&mut sections, &mut current, true);
            in_details = false;
        }
    }
    push(&mut sections, &mut current, in_details);
    sections
}

fn push(sections: &mut Vec<Section>, text: &mut String, droppable: bool) {
    if text.trim().is_empty() {
        text.clear();
        return;
    }
    let taken = std::mem::take(text);
    sections.push(if droppable {
        Section::droppable(taken)
    } else {
        Section::keep(taken)
    });
}

/// The local image files a Markdown text references (`![alt](file.png)` with a plain file
/// name, no URL or path), in order of appearance, without repeats.
#[must_use]
pub fn local_images(markdown: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (_, target, _) in image_refs(markdown) {
        if is_local(target) && !found.iter().any(|f| f == target) {
            found.push(target.to_owned());
        }
    }
    found
}

/// Replaces every local image reference with what `replace(alt, file)` returns (which may be
/// an empty string, to drop it).
#[must_use]
pub fn rewrite_images(markdown: &str, replace: &dyn Fn(&str, &str) -> String) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = 0;
    for (start, target, end) in image_refs(markdown) {
        if !is_local(target) {
            continue;
        }
        let alt = markdown[start + 2..].split(']').next().unwrap_or_default();
        out.push_str(&markdown[rest..start]);
        out.push_str(&replace(alt, target));
        rest = end;
    }
    out.push_str(&markdown[rest..]);
    out
}

fn is_local(target: &str) -> bool {
    !target.contains("://")
        && !target.contains('/')
        && !target.contains('\\')
        && !target.starts_with('.')
}

/// `(start, target, end)` of every `![alt](target)` in `markdown`.
fn image_refs(markdown: &str) -> Vec<(usize, &str, usize)> {
    let mut refs = Vec::new();
    let mut from = 0;
    while let Some(offset) = markdown[from..].find("![") {
        let start = from + offset;
        let Some(close) = markdown[start..].find("](").map(|i| start + i) else {
            break;
        };
        let Some(end) = markdown[close..].find(')').map(|i| close + i) else {
            break;
        };
        let target = &markdown[close + 2..end];
        if markdown[start..close].contains('\n') || target.contains(char::is_whitespace) {
            from = start + 2;
            continue;
        }
        refs.push((start, target, end + 1));
        from = end + 1;
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "## verdict\n\n| a | b |\n\n![Chart](metrics.png)\n\n<details>\n<summary>x</summary>\n\n![Other](per_class.png)\n\n</details>\n<details>\n<summary>y</summary>\n\nbody\n\n</details>\n\n<sub>footer</sub>\n";

    #[test]
    fn details_blocks_are_droppable_and_the_rest_is_kept() {
        let s = split(REPORT);
        let kinds: Vec<bool> = s.iter().map(|s| s.droppable).collect();
        assert_eq!(kinds, vec![false, true, true, false]);
        assert!(s[0].text.starts_with("## verdict"));
        assert!(s[3].text.contains("footer"));
        let joined: String = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            joined.trim(),
            REPORT.trim(),
            "nothing lost but blank lines between sections"
        );
    }

    #[test]
    fn finds_and_rewrites_local_images_only() {
        let md = "![a](metrics.png) ![b](https://x/y.png) ![c](../escape.png) ![d](per_class.png)";
        assert_eq!(local_images(md), vec!["metrics.png", "per_class.png"]);
        let out = rewrite_images(md, &|alt, file| format!("[{alt}:{file}]"));
        assert_eq!(
            out,
            "[a:metrics.png] ![b](https://x/y.png) ![c](../escape.png) [d:per_class.png]"
        );
    }
}
