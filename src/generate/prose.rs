//! English free text: curated word lists and sentence templates for descriptions, messages,
//! titles, names of things, tags and strings nothing is known about.
//!
//! Lorem ipsum reads as placeholder text and, worse, as a bug in the mocked API ("why is the
//! refusal message in Latin?"). Free text is written in English instead wherever `fake` has no
//! prose for the locale (every locale but zh_CN), from the neutral vocabulary of products,
//! orders, accounts, messages and teams below. Every list is `&'static`, all of it ASCII, so
//! byte lengths are character lengths and nothing is allocated per word.
//!
//! Lorem ipsum is still written where the schema asks for it (`x-faker: lorem.*`).

use super::faker::TextStyle;
use super::Gen;
use fake::faker::lorem::en as lorem;
use fake::Fake;

/// Singular nouns of everyday business data.
pub(crate) const NOUNS: &[&str] = &[
    "account",
    "address",
    "agenda",
    "agreement",
    "alert",
    "analysis",
    "answer",
    "approval",
    "archive",
    "article",
    "asset",
    "assignment",
    "attachment",
    "audit",
    "backlog",
    "badge",
    "balance",
    "basket",
    "batch",
    "benefit",
    "bill",
    "booking",
    "branch",
    "brief",
    "budget",
    "bundle",
    "calendar",
    "campaign",
    "card",
    "cart",
    "catalog",
    "change",
    "channel",
    "chart",
    "checklist",
    "claim",
    "client",
    "collection",
    "comment",
    "contract",
    "coupon",
    "course",
    "credit",
    "customer",
    "dashboard",
    "deadline",
    "delivery",
    "deposit",
    "design",
    "device",
    "discount",
    "discussion",
    "document",
    "donation",
    "draft",
    "estimate",
    "event",
    "export",
    "feature",
    "feedback",
    "file",
    "folder",
    "forecast",
    "form",
    "goal",
    "guide",
    "import",
    "incident",
    "inquiry",
    "inventory",
    "invoice",
    "issue",
    "item",
    "journey",
    "kit",
    "label",
    "launch",
    "lead",
    "ledger",
    "library",
    "license",
    "list",
    "listing",
    "location",
    "meeting",
    "membership",
    "message",
    "milestone",
    "module",
    "note",
    "notice",
    "offer",
    "order",
    "package",
    "page",
    "parcel",
    "partner",
    "payment",
    "payout",
    "plan",
    "playlist",
    "policy",
    "portfolio",
    "post",
    "presentation",
    "price",
    "process",
    "product",
    "profile",
    "program",
    "project",
    "proposal",
    "purchase",
    "quote",
    "receipt",
    "record",
    "refund",
    "release",
    "reminder",
    "renewal",
    "report",
    "request",
    "reservation",
    "resource",
    "response",
    "return",
    "review",
    "roadmap",
    "room",
    "route",
    "sample",
    "schedule",
    "season",
    "segment",
    "service",
    "session",
    "setting",
    "shipment",
    "snapshot",
    "space",
    "sprint",
    "statement",
    "store",
    "story",
    "subscription",
    "summary",
    "supplier",
    "survey",
    "task",
    "team",
    "template",
    "thread",
    "ticket",
    "timeline",
    "token",
    "track",
    "transfer",
    "trial",
    "update",
    "upgrade",
    "upload",
    "vendor",
    "version",
    "video",
    "visit",
    "voucher",
    "warehouse",
    "webinar",
    "workflow",
    "workshop",
    "workspace",
];

/// Neutral adjectives.
pub(crate) const ADJECTIVES: &[&str] = &[
    "active",
    "annual",
    "available",
    "basic",
    "brief",
    "bright",
    "busy",
    "careful",
    "central",
    "classic",
    "clean",
    "clear",
    "common",
    "compact",
    "complete",
    "current",
    "custom",
    "daily",
    "default",
    "direct",
    "early",
    "easy",
    "efficient",
    "essential",
    "extra",
    "fast",
    "final",
    "first",
    "flexible",
    "fresh",
    "friendly",
    "full",
    "general",
    "gentle",
    "global",
    "good",
    "great",
    "green",
    "handy",
    "helpful",
    "initial",
    "internal",
    "key",
    "large",
    "latest",
    "light",
    "local",
    "main",
    "major",
    "manual",
    "modern",
    "monthly",
    "new",
    "next",
    "open",
    "optional",
    "original",
    "personal",
    "planned",
    "popular",
    "practical",
    "premium",
    "primary",
    "private",
    "public",
    "quarterly",
    "quick",
    "quiet",
    "ready",
    "recent",
    "regular",
    "reliable",
    "remote",
    "secure",
    "shared",
    "short",
    "simple",
    "single",
    "small",
    "smart",
    "smooth",
    "solid",
    "special",
    "standard",
    "steady",
    "strong",
    "summer",
    "updated",
    "useful",
    "valid",
    "weekly",
    "whole",
    "winter",
    "yearly",
];

/// Past participles that fit most of [`NOUNS`] ("The invoice was approved").
pub(crate) const PARTICIPLES: &[&str] = &[
    "added",
    "approved",
    "archived",
    "assigned",
    "booked",
    "changed",
    "checked",
    "closed",
    "completed",
    "confirmed",
    "copied",
    "created",
    "delivered",
    "drafted",
    "edited",
    "exported",
    "filed",
    "finished",
    "imported",
    "issued",
    "linked",
    "listed",
    "merged",
    "moved",
    "opened",
    "packed",
    "paid",
    "planned",
    "posted",
    "prepared",
    "printed",
    "processed",
    "published",
    "received",
    "recorded",
    "renewed",
    "reopened",
    "requested",
    "reviewed",
    "saved",
    "scheduled",
    "sent",
    "shared",
    "shipped",
    "signed",
    "sorted",
    "submitted",
    "synced",
    "tagged",
    "tested",
    "tracked",
    "updated",
    "uploaded",
    "verified",
];

/// Present-tense verbs for requests and instructions ("Please review the draft").
pub(crate) const VERBS: &[&str] = &[
    "add", "approve", "book", "check", "compare", "confirm", "download", "edit", "export", "find",
    "follow", "import", "open", "plan", "prepare", "print", "rate", "read", "renew", "review",
    "save", "schedule", "send", "share", "sign", "sort", "submit", "track", "update", "upload",
    "verify", "view",
];

/// Adverbs and time phrases that end a sentence.
pub(crate) const WHEN: &[&str] = &[
    "today",
    "yesterday",
    "this morning",
    "this afternoon",
    "last week",
    "on time",
    "as planned",
    "without issues",
    "in the morning",
    "after review",
    "earlier today",
    "last night",
    "this week",
    "ahead of schedule",
    "by the team",
    "automatically",
    "successfully",
    "again",
];

/// Words people tag things with (and `type`/`kind`-like single words).
pub(crate) const TAGS: &[&str] = &[
    "billing",
    "urgent",
    "support",
    "design",
    "marketing",
    "backend",
    "frontend",
    "mobile",
    "sales",
    "finance",
    "shipping",
    "feedback",
    "beta",
    "priority",
    "internal",
    "external",
    "review",
    "release",
    "docs",
    "security",
    "travel",
    "events",
    "health",
    "sports",
    "music",
    "books",
    "food",
    "garden",
    "outdoor",
    "kitchen",
    "office",
    "featured",
    "seasonal",
    "new",
    "popular",
    "sale",
    "gift",
    "team",
    "personal",
    "work",
    "home",
    "project",
    "draft",
    "archive",
    "standard",
    "premium",
    "basic",
    "general",
    "weekly",
    "monthly",
    "onboarding",
    "research",
    "product",
    "customer",
    "partner",
    "legal",
    "hiring",
    "analytics",
    "community",
];

/// Closing nouns of titles ("Quarterly Revenue Review").
const TITLE_ENDS: &[&str] = &[
    "Review",
    "Report",
    "Plan",
    "Update",
    "Summary",
    "Guide",
    "Overview",
    "Checklist",
    "Roadmap",
    "Notes",
    "Proposal",
    "Workshop",
    "Kickoff",
    "Meeting",
    "Launch",
    "Analysis",
    "Forecast",
    "Handbook",
    "Digest",
    "Recap",
    "Playbook",
    "Session",
    "Survey",
    "Brief",
];

/// Subjects of titles.
const TITLE_TOPICS: &[&str] = &[
    "Revenue",
    "Budget",
    "Product",
    "Marketing",
    "Sales",
    "Customer",
    "Design",
    "Team",
    "Project",
    "Release",
    "Security",
    "Onboarding",
    "Hiring",
    "Support",
    "Roadmap",
    "Shipping",
    "Inventory",
    "Partner",
    "Pricing",
    "Research",
    "Training",
    "Community",
    "Quality",
    "Website",
    "Mobile",
    "Billing",
    "Payroll",
    "Office",
    "Travel",
    "Vendor",
];

/// First words of the names of things (products, teams, channels, projects).
const LABEL_FIRST: &[&str] = &[
    "Silver",
    "Bright",
    "Swift",
    "Northern",
    "Classic",
    "Urban",
    "Coastal",
    "Golden",
    "Green",
    "Compact",
    "Smart",
    "Modern",
    "Blue",
    "Daily",
    "Summit",
    "Maple",
    "Cedar",
    "River",
    "Atlas",
    "Harbor",
    "Pine",
    "Stone",
    "Sunny",
    "Evergreen",
    "Red",
    "Quiet",
    "Clear",
    "Open",
    "Prime",
    "Little",
    "Grand",
    "Royal",
    "Wild",
    "Lucky",
    "Central",
    "Western",
    "Eastern",
    "Alpine",
];

/// Second words of the names of things.
const LABEL_SECOND: &[&str] = &[
    "Harbor",
    "Summit",
    "Ridge",
    "Bridge",
    "Beacon",
    "Orbit",
    "Canvas",
    "Anchor",
    "Compass",
    "Lantern",
    "Meadow",
    "Grove",
    "Field",
    "Studio",
    "Labs",
    "Works",
    "Collective",
    "Supply",
    "Kitchen",
    "Market",
    "Garden",
    "Club",
    "Crew",
    "Team",
    "Project",
    "Backpack",
    "Kettle",
    "Lamp",
    "Chair",
    "Desk",
    "Notebook",
    "Jacket",
    "Bottle",
    "Blanket",
    "Mug",
    "Planner",
    "Speaker",
    "Watch",
    "Sneaker",
    "Tent",
    "Bakery",
    "Cafe",
    "Library",
    "Journal",
    "Point",
];

/// Short reviews and remarks ("Great fit and fast delivery.").
const REMARK_NOUNS: &[&str] = &[
    "fit",
    "delivery",
    "service",
    "support",
    "quality",
    "packaging",
    "price",
    "design",
    "value",
    "setup",
    "communication",
    "experience",
    "response",
    "finish",
    "size",
    "sound",
];

const REMARK_ADJECTIVES: &[&str] = &[
    "Great",
    "Fast",
    "Friendly",
    "Good",
    "Excellent",
    "Quick",
    "Solid",
    "Clear",
    "Easy",
    "Reliable",
    "Helpful",
    "Smooth",
    "Nice",
    "Fair",
    "Careful",
    "Simple",
];

impl Gen<'_, '_> {
    fn pick(&mut self, list: &'static [&'static str]) -> &'static str {
        list[self.index(list.len())]
    }

    /// An English word for generic text, URLs and keys (a static string, no allocation).
    pub(super) fn english_word(&mut self) -> &'static str {
        match self.index(3) {
            0 => self.pick(ADJECTIVES),
            _ => self.pick(NOUNS),
        }
    }

    /// A lorem word, for `x-faker: lorem.*` (a static string, no allocation).
    pub(super) fn lorem_word(&mut self) -> &'static str {
        lorem::Word().fake_with_rng(self.rng)
    }

    /// One short English sentence, appended to `out`.
    fn push_sentence(&mut self, out: &mut String) {
        let n = self.pick(NOUNS);
        match self.index(10) {
            0 => {
                let (p, w) = (self.pick(PARTICIPLES), self.pick(WHEN));
                push_cap(out, &["The ", n, " was ", p, " ", w, "."]);
            }
            1 => {
                let (a, n2) = (self.pick(REMARK_ADJECTIVES), self.pick(REMARK_NOUNS));
                let (a2, n3) = (self.pick(REMARK_ADJECTIVES), self.pick(REMARK_NOUNS));
                let a2 = a2.to_ascii_lowercase();
                push_cap(out, &[a, " ", n2, " and ", &a2, " ", n3, "."]);
            }
            2 => {
                let p = self.pick(PARTICIPLES);
                push_cap(out, &["Your ", n, " has been ", p, "."]);
            }
            3 => {
                let (v, a) = (self.pick(VERBS), self.pick(ADJECTIVES));
                push_cap(out, &["Please ", v, " the ", a, " ", n, "."]);
            }
            4 => {
                let (a, w) = (self.pick(ADJECTIVES), self.pick(WHEN));
                let p = self.pick(PARTICIPLES);
                push_cap(out, &["A ", a, " ", n, " was ", p, " ", w, "."]);
            }
            5 => {
                let (n2, p) = (self.pick(NOUNS), self.pick(PARTICIPLES));
                push_cap(out, &["The ", n, " for this ", n2, " is ", p, "."]);
            }
            6 => {
                let a = self.pick(ADJECTIVES);
                push_cap(out, &["This ", n, " is ", a, " and ready to use."]);
            }
            7 => {
                let (v, n2) = (self.pick(VERBS), self.pick(NOUNS));
                push_cap(out, &["We will ", v, " the ", n, " and the ", n2, " next."]);
            }
            8 => {
                let (p, w) = (self.pick(PARTICIPLES), self.pick(WHEN));
                push_cap(out, &["Every ", n, " on the list was ", p, " ", w, "."]);
            }
            _ => {
                let (a, n2) = (self.pick(ADJECTIVES), self.pick(NOUNS));
                push_cap(out, &["Notes on the ", a, " ", n, " and its ", n2, "."]);
            }
        }
    }

    /// A title of a few capitalised words ("Quarterly Revenue Review").
    fn push_title(&mut self, out: &mut String) {
        let end = self.pick(TITLE_ENDS);
        match self.index(4) {
            0 | 1 => {
                let (a, t) = (self.pick(ADJECTIVES), self.pick(TITLE_TOPICS));
                push_title_word(out, a);
                out.push(' ');
                out.push_str(t);
            }
            2 => out.push_str(self.pick(TITLE_TOPICS)),
            _ => {
                let t = self.pick(TITLE_TOPICS);
                out.push_str(t);
                out.push(' ');
                push_title_word(out, self.pick(NOUNS));
            }
        }
        out.push(' ');
        out.push_str(end);
    }

    /// The name of a thing: a product, team, channel or project ("Silver Harbor").
    fn push_label(&mut self, out: &mut String) {
        let (a, b) = (self.pick(LABEL_FIRST), self.pick(LABEL_SECOND));
        out.push_str(a);
        if a != b {
            out.push(' ');
            out.push_str(b);
        }
    }

    /// English text of `lo..=hi` characters, aiming for `nlo..=nhi` when the bounds allow:
    /// sentences, a title, a name, a word or plain words, as `style` says.
    pub(super) fn english_text(
        &mut self,
        lo: usize,
        hi: usize,
        target: usize,
        style: TextStyle,
        label: bool,
    ) -> String {
        let mut out = String::with_capacity(target.min(4096) + 48);
        match style {
            TextStyle::Sentences => {
                while out.len() < target {
                    let before = out.len();
                    if before > 0 {
                        out.push(' ');
                    }
                    self.push_sentence(&mut out);
                    // Keep whole sentences when the next one would overflow.
                    if before >= lo.max(1) && out.len() > hi {
                        out.truncate(before);
                        break;
                    }
                }
            }
            TextStyle::TitleCase if label => self.push_label(&mut out),
            TextStyle::TitleCase => {
                self.push_title(&mut out);
                while out.len() < target.min(lo.max(1)) {
                    out.push(' ');
                    push_title_word(&mut out, self.pick(NOUNS));
                }
            }
            TextStyle::OneWord => {
                // A word that fits the bounds, if one of a few draws does.
                let mut w = self.pick(TAGS);
                for _ in 0..8 {
                    if w.len() >= lo && w.len() <= hi {
                        break;
                    }
                    w = if self.index(2) == 0 {
                        self.pick(TAGS)
                    } else {
                        self.pick(NOUNS)
                    };
                }
                out.push_str(w);
                while out.len() < lo {
                    out.push('-');
                    out.push_str(self.pick(NOUNS));
                }
            }
            TextStyle::Words => {
                while out.len() < target {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(self.english_word());
                }
            }
        }
        fit(&mut out, lo, hi, |g: &mut Self| g.pick(NOUNS), self);
        out
    }

    /// Lorem ipsum of `lo..=hi` characters (for `x-faker: lorem.*`).
    pub(super) fn lorem_text(
        &mut self,
        lo: usize,
        hi: usize,
        target: usize,
        style: TextStyle,
    ) -> String {
        let mut out = String::with_capacity(target.min(4096) + 16);
        let mut sentence_start = true;
        let mut words_in_sentence = 0;
        let mut sentence_len = self.between(5, 11);
        while out.len() < target {
            if !out.is_empty() {
                out.push(' ');
            }
            let w = self.lorem_word();
            let capital = match style {
                TextStyle::Sentences => sentence_start,
                TextStyle::TitleCase => true,
                TextStyle::Words | TextStyle::OneWord => false,
            };
            if capital {
                push_title_word(&mut out, w);
            } else {
                out.push_str(w);
            }
            sentence_start = false;
            if style == TextStyle::OneWord {
                break;
            }
            if style == TextStyle::Sentences {
                words_in_sentence += 1;
                if words_in_sentence >= sentence_len {
                    out.push('.');
                    sentence_start = true;
                    words_in_sentence = 0;
                    sentence_len = self.between(5, 11);
                }
            }
        }
        if style == TextStyle::Sentences && !out.ends_with('.') && out.len() < hi {
            out.push('.');
        }
        fit(&mut out, lo, hi, |g: &mut Self| g.lorem_word(), self);
        out
    }
}

/// Appends `parts`, the first letter upper-cased (templates may start with a lowercase word).
fn push_cap(out: &mut String, parts: &[&str]) {
    let start = out.len();
    for p in parts {
        out.push_str(p);
    }
    if let Some(c) = out[start..].chars().next() {
        let up = c.to_ascii_uppercase();
        out.replace_range(start..start + 1, up.encode_utf8(&mut [0u8; 4]));
    }
}

fn push_title_word(out: &mut String, w: &str) {
    let mut chars = w.chars();
    if let Some(c) = chars.next() {
        out.push(c.to_ascii_uppercase());
    }
    out.push_str(chars.as_str());
}

/// Cuts ASCII `out` to at most `hi` characters (at a word boundary where that keeps `lo`) and
/// pads it to at least `lo` with more words, then letters; never ends in a space.
fn fit<'a, 'r>(
    out: &mut String,
    lo: usize,
    hi: usize,
    mut word: impl FnMut(&mut Gen<'a, 'r>) -> &'static str,
    g: &mut Gen<'a, 'r>,
) {
    if out.len() > hi {
        let cut = out[..=hi.min(out.len() - 1)]
            .rfind(' ')
            .filter(|&i| i >= lo && i > 0)
            .unwrap_or(hi);
        out.truncate(cut);
        while out.ends_with([' ', ',']) && out.len() > lo {
            out.pop();
        }
    }
    while out.len() < lo {
        let w = word(g);
        if out.len() + 1 + w.len() <= hi {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        } else {
            let room = lo - out.len();
            if room >= 2 && !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            let w = w.as_bytes();
            let mut i = 0;
            while out.len() < lo {
                out.push(w[i % w.len()] as char);
                i += 1;
            }
        }
    }
    if out.ends_with(' ') {
        out.pop();
        out.push('s');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> [&'static [&'static str]; 12] {
        [
            NOUNS,
            ADJECTIVES,
            PARTICIPLES,
            VERBS,
            WHEN,
            TAGS,
            TITLE_ENDS,
            TITLE_TOPICS,
            LABEL_FIRST,
            LABEL_SECOND,
            REMARK_NOUNS,
            REMARK_ADJECTIVES,
        ]
    }

    #[test]
    fn word_lists_are_ascii_and_not_latin_filler() {
        let latin = <fake::locales::EN as fake::locales::Data>::LOREM_WORD;
        for list in lists() {
            assert!(!list.is_empty());
            for w in list {
                assert!(!w.is_empty() && w.is_ascii(), "{w:?}");
                for part in w.split(' ') {
                    let lower = part.to_ascii_lowercase();
                    assert!(
                        !latin.contains(&lower.as_str()) || ["a", "in", "at"].contains(&part),
                        "{w:?} is a lorem word"
                    );
                }
            }
        }
        let total: usize = lists().iter().map(|l| l.len()).sum();
        assert!(total > 500, "{total} words");
    }
}
