//! Prints the draft of one text file, as `zeren policy draft` writes it (for reading the reader's
//! work without building the whole server):
//!
//!     cargo run --release -p zeren-draft --example draft -- bench/draft/heldout/1-county-school-safety.txt

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: draft FILE.txt (UTF-8 text)");
    let text = std::fs::read_to_string(&path).expect("read the text");
    let (_, toml) = zeren_draft::draft_toml(&text, 1, "draft", &path);
    print!("{toml}");
}
