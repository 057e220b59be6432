//! Strings from what a document says besides the property name (issue 13): the values it
//! gives a name elsewhere, ids shaped like the referenced object's, the words of a
//! description; and `stubborn example --explain`, which says which of these chose each value.

mod common;

use common::fixture;
use serde_json::Value;

fn example(args: &[&str]) -> (Value, String) {
    let spec = fixture("realistic/hints.yaml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .arg("example")
        .arg(&spec)
        .args(["GET", "/cards/x"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let body: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    (body, text)
}

#[test]
fn strings_take_what_the_document_says() {
    for seed in 0..20 {
        let (b, _) = example(&["--seed", &seed.to_string()]);
        let funding = b["funding"].as_str().unwrap();
        assert!(
            ["credit", "debit", "prepaid"].contains(&funding),
            "seed {seed}: funding {funding:?} should be one of the values the document gives"
        );
        let customer = b["customer"].as_str().unwrap();
        assert!(
            customer.starts_with("cus_") && customer.len() == "cus_NffrFeUfNV2Hib".len(),
            "seed {seed}: {customer:?} should look like the document's customer ids"
        );
        let invoice = b["latest_invoice"].as_str().unwrap();
        assert!(invoice.starts_with("inv_"), "seed {seed}: {invoice:?}");
        // Names that say nothing; descriptions that do.
        let currency = b["settled_in"].as_str().unwrap();
        assert_eq!(currency.len(), 3, "seed {seed}: {currency:?}");
        let image = b["backdrop"].as_str().unwrap();
        assert!(image.starts_with("http"), "seed {seed}: {image:?}");
    }
}

#[test]
fn explain_says_why_each_string_is_what_it_is() {
    let (_, text) = example(&["--explain"]);
    let line = |pointer: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(&format!("{pointer} =")))
            .unwrap_or_else(|| panic!("no line for {pointer} in:\n{text}"))
            .to_string()
    };
    assert!(
        line("/funding").contains("the document gives `funding` elsewhere"),
        "{text}"
    );
    assert!(
        line("/customer").contains("`customer` ids (cus_NffrFeUfNV2Hib)"),
        "{text}"
    );
    assert!(
        line("/latest_invoice").contains("a reference to a `invoice`"),
        "{text}"
    );
    assert!(line("/settled_in").contains("currency code"), "{text}");
    assert!(line("/backdrop").contains("url of the image"), "{text}");
    assert!(line("/vibe").contains("filler"), "{text}");
}
