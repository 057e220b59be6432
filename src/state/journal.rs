//! `--state-file`: the memory store's changes, one JSON line each, appended and flushed to
//! disk (`fdatasync`) before the answer is sent; replayed on start, and compacted (rewritten
//! as the current items, then renamed over the journal) when it holds more than twice the
//! items' lines. A crash mid-write leaves at most a partial last line, which the next start
//! drops: it was never acknowledged.
//!
//! Lines: `["put", scope, id, item]`, `["del", scope, id]`, `["n", counter, value]`,
//! `["clear", resource or null]`, `["seeded"]`.

use super::store::{Data, Entry};
use serde_json::{json, Value};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Lines beyond twice the items (plus this slack) make the journal compact itself.
const SLACK: usize = 1000;

pub struct Journal {
    file: File,
    path: PathBuf,
    lines: usize,
}

fn encode(e: &Entry) -> Value {
    match e {
        Entry::Put(s, id, v) => json!(["put", s, id, v]),
        Entry::Del(s, id) => json!(["del", s, id]),
        Entry::Counter(k, n) => json!(["n", k, n]),
        Entry::Clear(r) => json!(["clear", r]),
        Entry::Seeded => json!(["seeded"]),
    }
}

fn decode(v: &Value) -> Option<Entry> {
    let a = v.as_array()?;
    let s = |i: usize| a.get(i).and_then(Value::as_str).map(str::to_string);
    Some(match a.first()?.as_str()? {
        "put" => Entry::Put(s(1)?, s(2)?, a.get(3)?.clone()),
        "del" => Entry::Del(s(1)?, s(2)?),
        "n" => Entry::Counter(s(1)?, a.get(2)?.as_u64()?),
        "clear" => Entry::Clear(s(1)),
        "seeded" => Entry::Seeded,
        _ => return None,
    })
}

impl Journal {
    /// Opens (or creates) the journal at `path` and replays it.
    pub(crate) fn open(path: &Path) -> Result<(Data, Journal), String> {
        let shown = path.display();
        let mut data = Data::default();
        let mut lines = 0;
        let mut good_len: u64 = 0;
        if path.exists() {
            let file = File::open(path).map_err(|e| format!("--state-file {shown}: {e}"))?;
            let mut reader = std::io::BufReader::new(file);
            let mut line = Vec::new();
            let mut number = 0;
            loop {
                line.clear();
                let n = reader
                    .read_until(b'\n', &mut line)
                    .map_err(|e| format!("--state-file {shown}: {e}"))?;
                if n == 0 {
                    break;
                }
                number += 1;
                let complete = line.ends_with(b"\n");
                let entry = serde_json::from_slice::<Value>(&line)
                    .ok()
                    .as_ref()
                    .and_then(decode);
                match entry {
                    Some(e) if complete => {
                        data.apply(&e);
                        lines += 1;
                        good_len += n as u64;
                    }
                    // A partial last line: a write the crash cut, never acknowledged.
                    _ if !complete => break,
                    _ => {
                        return Err(format!(
                            "--state-file {shown}: line {number} is not a journal entry; \
                             the file is not stubborn's state, or was edited"
                        ))
                    }
                }
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("--state-file {shown}: {e}"))?;
        if file.metadata().map(|m| m.len()).unwrap_or(0) > good_len {
            file.set_len(good_len)
                .map_err(|e| format!("--state-file {shown}: {e}"))?;
        }
        Ok((
            data,
            Journal {
                file,
                path: path.to_path_buf(),
                lines,
            },
        ))
    }

    /// Writes `entries` and flushes them to disk.
    pub(crate) fn append(&mut self, entries: &[Entry]) -> std::io::Result<()> {
        let mut buf = Vec::new();
        for e in entries {
            serde_json::to_writer(&mut buf, &encode(e))?;
            buf.push(b'\n');
        }
        self.file.write_all(&buf)?;
        self.file.sync_data()?;
        self.lines += entries.len();
        Ok(())
    }

    pub fn wants_compaction(&self, items: usize) -> bool {
        self.lines > items.saturating_mul(2) + SLACK
    }

    /// Rewrites the journal as `snapshot` (a new file renamed over the old one, so a crash
    /// leaves one or the other whole).
    pub(crate) fn compact(&mut self, snapshot: &[Entry]) -> std::io::Result<()> {
        let tmp = self.path.with_extension("compacting");
        {
            let mut f = File::create(&tmp)?;
            let mut buf = Vec::new();
            for e in snapshot {
                serde_json::to_writer(&mut buf, &encode(e))?;
                buf.push(b'\n');
            }
            f.write_all(&buf)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        self.lines = snapshot.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_drops_a_cut_last_line_and_compacts() {
        let dir = std::env::temp_dir().join(format!("stubborn-journal-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("state.jsonl");
        let _ = std::fs::remove_file(&path);
        {
            let (_, mut j) = Journal::open(&path).unwrap();
            j.append(&[
                Entry::Put("pets\n/pets".into(), "1".into(), json!({"id": 1})),
                Entry::Put("pets\n/pets".into(), "2".into(), json!({"id": 2})),
                Entry::Del("pets\n/pets".into(), "1".into()),
            ])
            .unwrap();
        }
        // A crash in the middle of a write.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"[\"put\", \"pets\\n/pets\", \"3\"").unwrap();
        drop(f);
        let (data, mut j) = Journal::open(&path).unwrap();
        assert_eq!(data.items, 1);
        assert_eq!(data.scopes["pets\n/pets"]["2"], json!({"id": 2}));
        j.append(&[Entry::Put(
            "pets\n/pets".into(),
            "4".into(),
            json!({"id": 4}),
        )])
        .unwrap();
        let (data, mut j) = Journal::open(&path).unwrap();
        assert_eq!(data.items, 2);
        j.compact(&data.snapshot()).unwrap();
        drop(j);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        let (again, _) = Journal::open(&path).unwrap();
        assert_eq!(again.scopes, data.scopes);
        std::fs::write(&path, "not json\n[\"seeded\"]\n").unwrap();
        match Journal::open(&path) {
            Err(e) => assert!(e.contains("line 1"), "{e}"),
            Ok(_) => panic!("a foreign file was read as a journal"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
