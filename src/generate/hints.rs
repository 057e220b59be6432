//! Strings the document itself suggests: the values it writes for a property of the same name
//! elsewhere ([`crate::schema::hints::NameHints`]), ids shaped like the named object's example
//! id for references (`customer`, `owner_id`), and kinds read from a property's `description`
//! or `title` ("The ID of the customer", "ISO 4217 currency code", "URL of the image").
//! Each answer says why, for `stubborn example --explain`.

use super::faker::Kind;
use super::{Conj, Gen, Hint};

/// Why each string was chosen, for `stubborn example --explain`: the path being generated and
/// the reasons recorded so far (JSON pointer, reason).
#[derive(Debug, Default)]
pub(super) struct Explain {
    path: Vec<String>,
    pub(super) reasons: Vec<(String, String)>,
}

impl<'a, 'r> Gen<'a, 'r> {
    /// Enters property or item `segment` (only recorded when explaining).
    pub(super) fn enter(&mut self, segment: impl FnOnce() -> String) {
        if let Some(e) = self.explain.as_mut() {
            e.path.push(segment());
        }
    }

    pub(super) fn leave(&mut self) {
        if let Some(e) = self.explain.as_mut() {
            e.path.pop();
        }
    }

    /// Records why the string at the current position was chosen (only when explaining).
    pub(super) fn note(&mut self, why: impl FnOnce() -> String) {
        if let Some(e) = self.explain.as_mut() {
            let pointer: String = e
                .path
                .iter()
                .map(|s| format!("/{}", crate::schema::escape_pointer_token(s)))
                .collect();
            e.reasons.push((pointer, why()));
        }
    }
}

/// Kinds whose values are categories a document enumerates better than any faker.
fn categorical(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::None
            | Kind::Word
            | Kind::Status
            | Kind::Tag
            | Kind::Label
            | Kind::Version
            | Kind::Locale
            | Kind::Currency
            | Kind::CountryCode
            | Kind::MimeType
            | Kind::Timezone
    )
}

impl<'a, 'r> Gen<'a, 'r> {
    /// A value the document suggests for this string position, with the reason; `None` when
    /// it suggests nothing that fits `lo..=hi` characters.
    pub(super) fn hinted_string(
        &mut self,
        conj: &Conj<'a>,
        hint: &Hint<'a>,
        lo: usize,
        hi: Option<usize>,
    ) -> Option<(String, String)> {
        let name = hint.name?;
        let fits = |s: &str| {
            let n = s.chars().count();
            n >= lo && hi.is_none_or(|h| n <= h)
        };
        let hints = self.store.name_hints();
        if categorical(hint.kind) {
            let values: Vec<&String> = hints.values(name).iter().filter(|v| fits(v)).collect();
            if !values.is_empty() {
                let v = values[self.index(values.len())].clone();
                return Some((v, format!("a value the document gives `{name}` elsewhere")));
            }
        }
        // A reference to another object: shaped like that object's own example id, or like
        // an id of it (`latest_invoice` → `inv_…`) when the document names such an object.
        if matches!(
            hint.kind,
            Kind::None | Kind::Id | Kind::Label | Kind::ObjectRef
        ) {
            let target = reference_target(name);
            let last_word = target.rsplit(['_', '-']).next().unwrap_or(target);
            let example = hints
                .id_of(target)
                .or_else(|| hints.id_of(last_word))
                .or_else(|| conj.ref_keys.iter().rev().find_map(|(k, _)| hints.id_of(k)));
            if let Some(example) = example {
                let id = self.id_like(example);
                if fits(&id) {
                    return Some((
                        id,
                        format!("an id shaped like the document's `{target}` ids ({example})"),
                    ));
                }
            }
            let object = [target, last_word]
                .into_iter()
                .find(|t| t.len() >= 3 && hints.is_object(t))
                // The name says it holds another object's id (`owner`, `latest_attempt`).
                .or((hint.kind == Kind::ObjectRef).then_some(last_word));
            if let Some(object) = object.filter(|_| hint.kind != Kind::Label) {
                let prefix: String = object
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(3)
                    .collect::<String>()
                    .to_ascii_lowercase();
                let id = self.id_like(&format!("{prefix}_AbCdEf0123456789"));
                if fits(&id) {
                    let why = if hints.is_object(object) {
                        format!("a reference to a `{object}`, an object the document describes")
                    } else {
                        format!("the name `{name}` holds the id of a `{object}`")
                    };
                    return Some((id, why));
                }
            }
        }
        None
    }

    /// What the schema's own words say it holds (`description`, then `title`), when the
    /// property name said nothing.
    pub(super) fn described_kind(&self, conj: &Conj<'a>) -> Option<(Kind, String)> {
        for key in ["title", "description"] {
            for part in &conj.parts {
                if let Some(text) = part.map.get(key).and_then(|v| v.as_str()) {
                    if let Some((kind, word)) = kind_from_text(text) {
                        return Some((kind, format!("its {key} mentions \"{word}\"")));
                    }
                }
            }
        }
        None
    }

    /// A fresh id in the shape of `example`: the same prefix (`cus_`), then as many characters
    /// of the same classes (digits, upper and lower case) as the rest.
    fn id_like(&mut self, example: &str) -> String {
        let (prefix, tail) = match example.rfind(['_', '-']) {
            Some(i)
                if i <= 12
                    && example[..i]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                example.split_at(i + 1)
            }
            _ => ("", example),
        };
        const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
        const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const DIGITS: &[u8] = b"0123456789";
        let has = |f: fn(&char) -> bool| tail.chars().any(|c| f(&c));
        let mut alphabet: Vec<u8> = Vec::new();
        if has(char::is_ascii_lowercase) {
            alphabet.extend_from_slice(LOWER);
        }
        if has(char::is_ascii_uppercase) {
            alphabet.extend_from_slice(UPPER);
        }
        if has(char::is_ascii_digit) || alphabet.is_empty() {
            alphabet.extend_from_slice(DIGITS);
        }
        let len = tail.chars().count().clamp(4, 64);
        let mut out = String::with_capacity(prefix.len() + len);
        out.push_str(prefix);
        for _ in 0..len {
            out.push(alphabet[self.index(alphabet.len())] as char);
        }
        out
    }
}

const LINE2: &[&str] = &["Apt", "Suite", "Unit", "Floor", "Building"];
const CODES: &[&str] = &[
    "requested",
    "approved",
    "declined",
    "expired",
    "pending_review",
    "document_expired",
    "insufficient_funds",
    "verified",
    "unverified",
    "not_provided",
    "standard",
    "automatic",
    "manual",
    "online",
    "in_person",
    "card",
    "bank_transfer",
    "pass",
    "fail",
    "unavailable",
];
const FIELDS: &[&str] = &[
    "business_profile.url",
    "external_account",
    "individual.dob.day",
    "individual.address.city",
    "company.tax_id",
    "tos_acceptance.date",
    "representative.email",
    "settings.payments.statement_descriptor",
];
const BANKS: &[&str] = &[
    "First National Bank",
    "Harbor Savings Bank",
    "Summit Credit Union",
    "Northwind Bank",
    "Riverside Trust",
    "Lakeshore Federal",
    "Pioneer Community Bank",
    "Meridian Bank",
];
const DESCRIPTORS: &[&str] = &[
    "ACME STORE",
    "NORTHWIND CO",
    "BLUE BOTTLE",
    "CITY BIKES",
    "PIXEL PRINTS",
    "GREEN GROCER",
];
const EMOJI: &[&str] = &["🎉", "👍", "🚀", "🔥", "✅", "🎧", "🌟", "💬"];
const REGIONS: &[&str] = &[
    "us-east",
    "us-west",
    "us-central",
    "europe",
    "rotterdam",
    "singapore",
    "japan",
    "brazil",
    "sydney",
    "india",
];
const GENRES: &[&str] = &[
    "pop",
    "rock",
    "jazz",
    "hip hop",
    "classical",
    "indie folk",
    "electronic",
    "r&b",
    "country",
    "soul",
    "reggae",
    "ambient",
];
const MCCS: &[&str] = &[
    "5411", "5812", "5999", "7372", "4121", "5732", "5691", "8999",
];

impl<'a, 'r> Gen<'a, 'r> {
    /// Values for the shapes published specs are full of ([`Kind::AddressLine2`] ...); `None`
    /// for other kinds. The caller checks the result against the schema.
    pub(super) fn shaped_string(
        &mut self,
        kind: Kind,
        lo: usize,
        hi: Option<usize>,
    ) -> Option<String> {
        let pick = |g: &mut Self, list: &[&str]| list[g.index(list.len())].to_string();
        let digits = |g: &mut Self, n: usize| -> String {
            (0..n)
                .map(|_| char::from(b'0' + g.index(10) as u8))
                .collect()
        };
        let hex = |g: &mut Self, n: usize| -> String {
            (0..n)
                .map(|_| char::from(b"0123456789abcdef"[g.index(16)]))
                .collect()
        };
        Some(match kind {
            Kind::AddressLine2 => {
                let what = pick(self, LINE2);
                format!("{what} {}", self.between(1, 40))
            }
            Kind::Last4 => digits(self, 4),
            Kind::Hash => {
                let n = match hi {
                    Some(h) if h < 32 => h.max(lo).max(1),
                    _ => 32,
                };
                hex(self, n)
            }
            Kind::Token => {
                let n = hi.map_or(40, |h| h.min(40)).max(lo).max(8);
                let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
                (0..n)
                    .map(|_| char::from(alphabet[self.index(alphabet.len())]))
                    .collect()
            }
            Kind::Code => pick(self, CODES),
            Kind::FieldPath => pick(self, FIELDS),
            Kind::Reference => {
                let prefix = pick(self, &["INV", "ORD", "REF", "TXN"]);
                format!("{prefix}-{}", self.between(10_000, 99_999))
            }
            Kind::Bank => pick(self, BANKS),
            Kind::Descriptor => pick(self, DESCRIPTORS),
            Kind::RoutingNumber => digits(self, 9),
            Kind::Mcc => pick(self, MCCS),
            Kind::Discriminator => format!("{:04}", self.between(1, 9999)),
            Kind::Emoji => pick(self, EMOJI),
            Kind::Region => pick(self, REGIONS),
            Kind::NumericString => self.between(0, 1 << 31).to_string(),
            Kind::ObjectRef => self.id_like("obj_AbCdEf0123456789"),
            Kind::Priority => pick(self, &["low", "normal", "high", "urgent"]),
            Kind::Barcode => {
                let n = hi.map_or(13, |h| h.clamp(8, 13)).max(lo.min(13));
                digits(self, n.max(12))
            }
            Kind::Cvc => digits(self, 3),
            Kind::Iban => self.iban(),
            Kind::Genre => pick(self, GENRES),
            _ => return None,
        })
    }
}

/// The object a reference names: `customer` → `customer`, `owner_id`/`ownerId` → `owner`,
/// `parent` → `parent`.
fn reference_target(name: &str) -> &str {
    for suffix in ["_id", "-id", "Id", "ID"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            if !stem.is_empty() {
                return stem;
            }
        }
    }
    name
}

/// The kind a description or title names, and the words that said so. The first match in a
/// fixed order of specific phrases before generic ones.
pub(crate) fn kind_from_text(text: &str) -> Option<(Kind, &'static str)> {
    // A schema's description is read each time a value of it is made (Kubernetes's run to
    // hundreds of words, asked thousands of times by `check`): the answer is kept per text.
    type Read = Option<(Kind, &'static str)>;
    thread_local! {
        static READ: std::cell::RefCell<std::collections::HashMap<Box<str>, Read>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(known) = READ.with(|r| r.borrow().get(text).copied()) {
        return known;
    }
    let found = read_kind(text);
    READ.with(|r| {
        let mut read = r.borrow_mut();
        if read.len() >= 4096 {
            read.clear();
        }
        read.insert(text.into(), found);
    });
    found
}

/// [`kind_from_text`] without the memory.
fn read_kind(text: &str) -> Option<(Kind, &'static str)> {
    let lower = text.to_ascii_lowercase();
    const RULES: &[(&str, Kind)] = &[
        ("iso 4217", Kind::Currency),
        ("currency code", Kind::Currency),
        ("three-letter iso currency", Kind::Currency),
        ("two-letter country", Kind::CountryCode),
        ("country code", Kind::CountryCode),
        ("iso 3166", Kind::CountryCode),
        ("language code", Kind::Locale),
        ("bcp 47", Kind::Locale),
        ("ietf language", Kind::Locale),
        ("locale", Kind::Locale),
        ("time zone", Kind::Timezone),
        ("timezone", Kind::Timezone),
        ("iana", Kind::Timezone),
        ("email address", Kind::Email),
        ("e-mail", Kind::Email),
        ("phone number", Kind::Phone),
        ("ip address", Kind::Ip),
        ("user agent", Kind::UserAgent),
        ("user-agent", Kind::UserAgent),
        ("mime type", Kind::MimeType),
        ("media type", Kind::MimeType),
        ("content type", Kind::MimeType),
        ("hex color", Kind::Color),
        ("colour", Kind::Color),
        ("color", Kind::Color),
        ("image url", Kind::Image),
        ("url of the image", Kind::Image),
        ("avatar", Kind::Image),
        ("thumbnail", Kind::Image),
        ("rfc 3339", Kind::Timestamp),
        ("rfc3339", Kind::Timestamp),
        ("iso 8601", Kind::Timestamp),
        ("timestamp", Kind::Timestamp),
        ("semantic version", Kind::Version),
        ("semver", Kind::Version),
        ("version", Kind::Version),
        ("postal code", Kind::Zip),
        ("zip code", Kind::Zip),
        ("postcode", Kind::Zip),
        ("street address", Kind::Street),
        ("address line 1", Kind::Street),
        ("city", Kind::City),
        ("state, county, province", Kind::State),
        ("province", Kind::State),
        ("company name", Kind::Company),
        ("file name", Kind::FileName),
        ("filename", Kind::FileName),
        ("username", Kind::Username),
        ("user name", Kind::Username),
        ("first name", Kind::FirstName),
        ("given name", Kind::FirstName),
        ("last name", Kind::LastName),
        ("family name", Kind::LastName),
        ("full name", Kind::FullName),
        ("domain", Kind::Domain),
        ("hostname", Kind::Domain),
        ("password", Kind::Password),
        ("unique identifier", Kind::Id),
        ("the id of", Kind::Id),
        ("id of the", Kind::Id),
        ("id of an", Kind::Id),
        ("id of a", Kind::Id),
        ("identifier", Kind::Id),
        ("uuid", Kind::Uuid),
        ("url", Kind::Url),
        ("uri", Kind::Url),
        ("link", Kind::Url),
        ("slug", Kind::Slug),
        ("title", Kind::Title),
        ("error message", Kind::Sentence),
        ("human-readable", Kind::Sentence),
        ("message", Kind::Sentence),
        ("reason", Kind::Sentence),
        ("explanation", Kind::Sentence),
        ("description", Kind::Text),
        ("note", Kind::Text),
        ("comment", Kind::Text),
        ("name of", Kind::Label),
        ("display name", Kind::Label),
        ("the name", Kind::Label),
    ];
    RULES.iter().find_map(|(phrase, kind)| {
        lower.find(phrase).and_then(|at| {
            // A whole word or phrase: `url` in "curl" or `city` in "capacity" is not one.
            let before = lower[..at].chars().next_back();
            let after = lower[at + phrase.len()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
            (boundary(before) && boundary(after)).then_some((*kind, *phrase))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_name_their_kind() {
        let k = |t: &str| kind_from_text(t).map(|(k, _)| k);
        assert_eq!(
            k("Three-letter ISO currency code, in lowercase."),
            Some(Kind::Currency)
        );
        assert_eq!(
            k("Two-letter country code (ISO 3166-1 alpha-2)."),
            Some(Kind::CountryCode)
        );
        assert_eq!(
            k("The ID of the customer that owns the card."),
            Some(Kind::Id)
        );
        assert_eq!(k("URL of the image"), Some(Kind::Image));
        assert_eq!(
            k("RFC 3339 timestamp of the last change"),
            Some(Kind::Timestamp)
        );
        assert_eq!(k("The user's IANA time zone"), Some(Kind::Timezone));
        assert_eq!(k("A hex color such as #aabbcc"), Some(Kind::Color));
        assert_eq!(k("Postal code of the billing address"), Some(Kind::Zip));
        assert_eq!(
            k("The capacity of the curling rink"),
            None,
            "no `city` in capacity, no `url` in curl"
        );
        assert_eq!(k("Whether it is enabled"), None);
    }

    #[test]
    fn references_name_their_target() {
        assert_eq!(reference_target("customer"), "customer");
        assert_eq!(reference_target("owner_id"), "owner");
        assert_eq!(reference_target("parentId"), "parent");
        assert_eq!(reference_target("id"), "id");
    }
}
