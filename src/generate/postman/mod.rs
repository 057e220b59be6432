//! Postman's dynamic variables (`{{$guid}}`, `{{$randomFirstName}}`, ...; names without `$`
//! here), drawn by the same generator as schema values, so `--locale` applies to them.
//!
//! Each variable is a function of a [`Gen`] without a schema: people, places, companies, jobs
//! and phone numbers come from the locale's tables (`super::locale`, `super::faker`), as they
//! do for a `firstName` property; UUIDs, IP addresses, URLs, domains, colours and lorem ipsum
//! from the generator's own helpers. What only Postman has (hacker jargon, database terms,
//! store products) is in [`words`]. Formats Postman documents stay as it writes them
//! (`$randomPhoneNumber` is `^##-###-####` in English, `$randomPassword` 15 letters and digits).
//!
//! Unlike schema values, every variable is drawn on its own: two `{{$randomFirstName}}` in
//! one body are two people, and `$randomEmail` is not the address of a `$randomFirstName`
//! next to it. The same seed, locale and reference instant give the same values.

mod words;

use super::faker::{COLORS, TLDS};
use super::locale::{source, with_data, Field};
use super::time::{self, DAY};
use super::{Gen, GenOptions, Locale};
use crate::schema::SchemaStore;
use fake::faker::address::en as address;
use fake::faker::address::raw as address_in;
use fake::faker::company::en as company;
use fake::faker::company::raw as company_in;
use fake::faker::currency::en as currency;
use fake::faker::filesystem::en as filesystem;
use fake::faker::finance::en as finance;
use fake::faker::internet::en as internet;
use fake::faker::job::raw as job_in;
use fake::faker::name::raw as name_in;
use fake::faker::phone_number::raw as phone_in;
use fake::locales::DE_DE;
use fake::Fake;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::LazyLock;
use words::*;

#[cfg(test)]
pub(crate) use words::{MONTHS, WEEKDAYS};

/// The names of all variables, without the leading `$`, in the order of Postman's reference.
pub fn names() -> impl Iterator<Item = &'static str> {
    VARIABLES.iter().map(|(n, _)| *n)
}

/// The variable called `name` (without `$`), as a number for [`Draws::draw`].
pub fn index_of(name: &str) -> Option<u16> {
    VARIABLES
        .iter()
        .position(|(n, _)| *n == name)
        .and_then(|i| u16::try_from(i).ok())
}

/// The variable whose name differs from `name` only in case (`randomemail` → `randomEmail`).
pub fn same_but_case(name: &str) -> Option<&'static str> {
    names().find(|n| n.eq_ignore_ascii_case(name))
}

/// The reference "now" (milliseconds since the epoch) of a seed, for callers without a clock:
/// a whole minute within 2024, the instant schema values are placed around too.
pub fn reference_now_ms(seed: u64) -> i64 {
    time::reference_instant(seed).saturating_mul(1000)
}

/// The random stream of one render: every variable drawn from it in turn.
pub struct Draws {
    rng: ChaCha8Rng,
    opts: GenOptions,
    now_ms: i64,
}

impl Draws {
    /// Draws seeded with `seed`, in `locale`, with dates placed around `now_ms`.
    pub fn new(seed: u64, locale: Locale, now_ms: i64) -> Self {
        Draws {
            rng: ChaCha8Rng::seed_from_u64(seed),
            opts: GenOptions {
                seed,
                locale,
                ..GenOptions::default()
            },
            now_ms,
        }
    }

    /// The next value of variable `index` ([`index_of`]); empty for an unknown index.
    pub fn draw(&mut self, index: u16) -> String {
        let Some((_, make)) = VARIABLES.get(usize::from(index)) else {
            return String::new();
        };
        let mut draw = Draw {
            gen: Gen::without_schema(&NO_SCHEMAS, &self.opts, &mut self.rng, self.now_ms),
            now_ms: self.now_ms,
        };
        make(&mut draw)
    }
}

/// The generator needs a store; variables never read one.
static NO_SCHEMAS: LazyLock<SchemaStore> = LazyLock::new(SchemaStore::new);

/// One draw: the generator and the render's reference instant in milliseconds.
struct Draw<'a, 'r> {
    gen: Gen<'a, 'r>,
    now_ms: i64,
}

type Make = fn(&mut Draw<'_, '_>) -> String;

impl Draw<'_, '_> {
    fn locale(&self) -> Locale {
        self.gen.opts.locale
    }

    fn below(&mut self, n: usize) -> usize {
        self.gen.index(n)
    }

    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.gen.between(lo, hi)
    }

    fn pick(&mut self, list: &[&'static str]) -> &'static str {
        list.get(self.below(list.len())).copied().unwrap_or("")
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len())]))
            .collect()
    }

    fn digits(&mut self, n: usize) -> String {
        self.chars(b"0123456789", n)
    }

    /// `#` → a digit, `^` → a digit 2–9, anything else as is.
    fn numerify(&mut self, format: &str) -> String {
        format
            .chars()
            .map(|c| match c {
                '#' => char::from(b'0' + self.below(10) as u8),
                '^' => char::from(b'2' + self.below(8) as u8),
                c => c,
            })
            .collect()
    }

    fn fixed(&mut self, lo: i64, hi: i64, decimals: u32) -> String {
        let scale = 10_i64.pow(decimals);
        let n = self.between(lo * scale, hi * scale);
        let sign = if n < 0 { "-" } else { "" };
        let n = n.unsigned_abs();
        let scale = scale as u64;
        format!(
            "{sign}{}.{:0width$}",
            n / scale,
            n % scale,
            width = decimals as usize
        )
    }

    fn first_name(&mut self) -> &'static str {
        let rng = &mut *self.gen.rng;
        with_data!(source(self.gen.opts.locale, Field::Name), |l| {
            name_in::FirstName(l).fake_with_rng(rng)
        })
    }

    fn last_name(&mut self) -> &'static str {
        let rng = &mut *self.gen.rng;
        with_data!(source(self.gen.opts.locale, Field::Name), |l| {
            name_in::LastName(l).fake_with_rng(rng)
        })
    }

    /// First and last name in the locale's order (`佐藤 陽翔`, `王文辉`).
    fn full_name(&mut self) -> String {
        let (first, last) = (self.first_name(), self.last_name());
        match source(self.locale(), Field::Name) {
            Locale::Ja => format!("{last} {first}"),
            Locale::ZhCn => format!("{last}{first}"),
            _ => format!("{first} {last}"),
        }
    }

    /// A street name alone (`Müllerstraße`, `Rue Lefebvre`).
    fn street_name(&mut self) -> String {
        let rng = &mut *self.gen.rng;
        match source(self.gen.opts.locale, Field::Street) {
            Locale::De => {
                // `fake`'s German template puts a space before `straße`.
                let name: &str = name_in::LastName(DE_DE).fake_with_rng(rng);
                let suffix: &str = address_in::StreetSuffix(DE_DE).fake_with_rng(rng);
                format!("{name}{suffix}")
            }
            loc => with_data!(loc, |l| address_in::StreetName(l).fake_with_rng(rng)),
        }
    }

    /// A phone number: Postman's `^##-###-####` (`ext` with a leading group) in English, the
    /// locale's own format where it has one.
    fn phone(&mut self, ext: bool) -> String {
        match source(self.locale(), Field::Phone) {
            Locale::En if ext => self.numerify("^#-^##-###-####"),
            Locale::En => self.numerify("^##-###-####"),
            loc => {
                let rng = &mut *self.gen.rng;
                with_data!(loc, |l| phone_in::PhoneNumber(l).fake_with_rng(rng))
            }
        }
    }

    fn job(&mut self, part: fn(Locale, &mut ChaCha8Rng) -> String) -> String {
        let loc = source(self.locale(), Field::Job);
        part(loc, self.gen.rng)
    }

    fn lorem_words(&mut self, n: usize) -> String {
        let words: Vec<&str> = (0..n).map(|_| self.gen.lorem_word()).collect();
        words.join(" ")
    }

    fn lorem_sentence(&mut self) -> String {
        let n = self.between(4, 10) as usize;
        capitalized(&self.lorem_words(n)) + "."
    }

    fn lorem_sentences(&mut self, lo: i64, hi: i64, sep: &str) -> String {
        let n = self.between(lo, hi);
        let sentences: Vec<String> = (0..n).map(|_| self.lorem_sentence()).collect();
        sentences.join(sep)
    }

    fn lorem_paragraph(&mut self) -> String {
        self.lorem_sentences(3, 6, " ")
    }

    fn word(&mut self) -> String {
        match self.below(6) {
            0 => self.pick(HACKER_NOUNS).to_string(),
            1 => self.pick(HACKER_VERBS).to_string(),
            2 => self.pick(HACKER_ADJECTIVES).to_string(),
            3 => self.pick(ABBREVIATIONS).to_string(),
            4 => company::BsNoun().fake_with_rng(self.gen.rng),
            _ => self.pick(PRODUCTS).to_string(),
        }
    }

    fn phrase(&mut self) -> String {
        let template = self.pick(HACKER_PHRASES);
        let mut out = String::with_capacity(template.len() + 40);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let slot = &rest[open + 1..open + close];
            let word = match slot {
                "noun" => self.pick(HACKER_NOUNS),
                "verb" => self.pick(HACKER_VERBS),
                "ingverb" => self.pick(HACKER_INGVERBS),
                "adjective" => self.pick(HACKER_ADJECTIVES),
                _ => self.pick(ABBREVIATIONS),
            };
            out.push_str(word);
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        capitalized(&out)
    }

    fn image(&mut self, category: &str) -> String {
        let lock = self.between(1, 99_999);
        format!("https://loremflickr.com/640/480/{category}?lock={lock}")
    }

    fn date_around(&mut self, lo_ms: i64, hi_ms: i64) -> String {
        let offset = self.between(lo_ms, hi_ms);
        time::date_time_millis(self.now_ms.saturating_add(offset))
    }

    fn bitcoin(&mut self) -> String {
        const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        let prefix = if self.below(2) == 0 { '1' } else { '3' };
        let n = self.between(25, 33) as usize;
        let mut out = String::with_capacity(n + 1);
        out.push(prefix);
        out.push_str(&self.chars(BASE58, n));
        out
    }

    fn image_data_uri(&mut self) -> String {
        let color = format!("#{:06x}", self.between(0, 0xff_ffff));
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" baseProfile=\"full\" \
             width=\"640\" height=\"480\"><rect width=\"100%\" height=\"100%\" \
             fill=\"{color}\"/><text x=\"320\" y=\"240\" font-size=\"20\" \
             alignment-baseline=\"middle\" text-anchor=\"middle\" fill=\"white\">640x480</text></svg>"
        );
        format!(
            "data:image/svg+xml;charset=UTF-8,{}",
            percent_encoding::utf8_percent_encode(&svg, percent_encoding::NON_ALPHANUMERIC)
        )
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

const DAY_MS: i64 = DAY * 1000;

/// Postman's dynamic variables (names without `$`), in the order of its reference.
static VARIABLES: &[(&str, Make)] = &[
    // Common
    ("guid", |d| d.gen.uuid()),
    ("timestamp", |d| d.now_ms.div_euclid(1000).to_string()),
    ("isoTimestamp", |d| time::date_time_millis(d.now_ms)),
    ("randomUUID", |d| d.gen.uuid()),
    // Text, numbers, and colors
    ("randomAlphaNumeric", |d| {
        d.chars(b"0123456789abcdefghijklmnopqrstuvwxyz", 1)
    }),
    ("randomBoolean", |d| (d.below(2) == 1).to_string()),
    ("randomInt", |d| d.between(0, 1000).to_string()),
    ("randomColor", |d| d.pick(COLORS).to_string()),
    ("randomHexColor", |d| {
        format!("#{:06x}", d.between(0, 0xff_ffff))
    }),
    ("randomAbbreviation", |d| d.pick(ABBREVIATIONS).to_string()),
    // Internet and IP addresses
    ("randomIP", |d| d.gen.ipv4()),
    ("randomIPV6", |d| d.gen.ipv6()),
    ("randomMACAddress", |d| {
        internet::MACAddress().fake_with_rng(d.gen.rng)
    }),
    ("randomPassword", |d| {
        d.chars(
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            15,
        )
    }),
    ("randomLocale", |d| d.pick(LANGUAGES).to_string()),
    ("randomUserAgent", |d| {
        internet::UserAgent().fake_with_rng(d.gen.rng)
    }),
    ("randomProtocol", |d| d.pick(&["http", "https"]).to_string()),
    ("randomSemver", |d| {
        filesystem::SemverStable().fake_with_rng(d.gen.rng)
    }),
    // Names
    ("randomFirstName", |d| d.first_name().to_string()),
    ("randomLastName", |d| d.last_name().to_string()),
    ("randomFullName", |d| d.full_name()),
    ("randomNamePrefix", |d| {
        let rng = &mut *d.gen.rng;
        with_data!(source(d.gen.opts.locale, Field::Name), |l| {
            name_in::Title(l).fake_with_rng(rng)
        })
    }),
    ("randomNameSuffix", |d| {
        let rng = &mut *d.gen.rng;
        with_data!(source(d.gen.opts.locale, Field::Name), |l| {
            name_in::Suffix(l).fake_with_rng(rng)
        })
    }),
    // Profession
    ("randomJobArea", |d| {
        d.job(|loc, rng| with_data!(loc, |l| job_in::Field(l).fake_with_rng(rng)))
    }),
    ("randomJobDescriptor", |d| {
        d.job(|loc, rng| with_data!(loc, |l| job_in::Seniority(l).fake_with_rng(rng)))
    }),
    ("randomJobTitle", |d| d.gen.job_title()),
    ("randomJobType", |d| {
        d.job(|loc, rng| with_data!(loc, |l| job_in::Position(l).fake_with_rng(rng)))
    }),
    // Phone, address, and location
    ("randomPhoneNumber", |d| d.phone(false)),
    ("randomPhoneNumberExt", |d| d.phone(true)),
    ("randomCity", |d| d.gen.city()),
    ("randomStreetName", |d| d.street_name()),
    ("randomStreetAddress", |d| d.gen.street()),
    ("randomCountry", |d| {
        address::CountryName().fake_with_rng(d.gen.rng)
    }),
    ("randomCountryCode", |d| {
        address::CountryCode().fake_with_rng(d.gen.rng)
    }),
    ("randomLatitude", |d| d.fixed(-90, 90, 4)),
    ("randomLongitude", |d| d.fixed(-180, 180, 4)),
    // Images
    ("randomAvatarImage", |d| {
        format!(
            "https://avatars.githubusercontent.com/u/{}",
            d.between(1, 99_999_999)
        )
    }),
    ("randomImageUrl", |d| {
        format!(
            "https://loremflickr.com/640/480?lock={}",
            d.between(1, 99_999)
        )
    }),
    ("randomAbstractImage", |d| d.image("abstract")),
    ("randomAnimalsImage", |d| d.image("animals")),
    ("randomBusinessImage", |d| d.image("business")),
    ("randomCatsImage", |d| d.image("cats")),
    ("randomCityImage", |d| d.image("city")),
    ("randomFoodImage", |d| d.image("food")),
    ("randomNightlifeImage", |d| d.image("nightlife")),
    ("randomFashionImage", |d| d.image("fashion")),
    ("randomPeopleImage", |d| d.image("people")),
    ("randomNatureImage", |d| d.image("nature")),
    ("randomSportsImage", |d| d.image("sports")),
    ("randomTransportImage", |d| d.image("transport")),
    ("randomImageDataUri", |d| d.image_data_uri()),
    // Finance
    ("randomBankAccount", |d| d.digits(8)),
    ("randomBankAccountName", |d| {
        format!("{} Account", d.pick(ACCOUNT_KINDS))
    }),
    ("randomCreditCardMask", |d| d.digits(4)),
    ("randomBankAccountBic", |d| {
        finance::Bic().fake_with_rng(d.gen.rng)
    }),
    ("randomBankAccountIban", |d| d.gen.iban()),
    ("randomTransactionType", |d| {
        d.pick(&["deposit", "withdrawal", "payment", "invoice"])
            .to_string()
    }),
    ("randomCurrencyCode", |d| {
        currency::CurrencyCode().fake_with_rng(d.gen.rng)
    }),
    ("randomCurrencyName", |d| {
        currency::CurrencyName().fake_with_rng(d.gen.rng)
    }),
    ("randomCurrencySymbol", |d| {
        currency::CurrencySymbol().fake_with_rng(d.gen.rng)
    }),
    ("randomBitcoin", |d| d.bitcoin()),
    // Business
    ("randomCompanyName", |d| d.gen.company()),
    ("randomCompanySuffix", |d| {
        let rng = &mut *d.gen.rng;
        with_data!(source(d.gen.opts.locale, Field::Company), |l| {
            company_in::CompanySuffix(l).fake_with_rng(rng)
        })
    }),
    ("randomBs", |d| company::Bs().fake_with_rng(d.gen.rng)),
    ("randomBsAdjective", |d| {
        company::BsAdj().fake_with_rng(d.gen.rng)
    }),
    ("randomBsBuzz", |d| {
        company::BsVerb().fake_with_rng(d.gen.rng)
    }),
    ("randomBsNoun", |d| {
        company::BsNoun().fake_with_rng(d.gen.rng)
    }),
    // Catchphrases
    ("randomCatchPhrase", |d| {
        company::CatchPhrase().fake_with_rng(d.gen.rng)
    }),
    ("randomCatchPhraseAdjective", |d| {
        company::Buzzword().fake_with_rng(d.gen.rng)
    }),
    ("randomCatchPhraseDescriptor", |d| {
        company::BuzzwordMiddle().fake_with_rng(d.gen.rng)
    }),
    ("randomCatchPhraseNoun", |d| {
        company::BuzzwordTail().fake_with_rng(d.gen.rng)
    }),
    // Databases
    ("randomDatabaseColumn", |d| d.pick(DB_COLUMNS).to_string()),
    ("randomDatabaseType", |d| d.pick(DB_TYPES).to_string()),
    ("randomDatabaseCollation", |d| {
        d.pick(DB_COLLATIONS).to_string()
    }),
    ("randomDatabaseEngine", |d| d.pick(DB_ENGINES).to_string()),
    // Dates
    ("randomDateFuture", |d| d.date_around(1000, 365 * DAY_MS)),
    ("randomDatePast", |d| d.date_around(-365 * DAY_MS, -1000)),
    ("randomDateRecent", |d| d.date_around(-DAY_MS, -1000)),
    ("randomWeekday", |d| d.pick(WEEKDAYS).to_string()),
    ("randomMonth", |d| d.pick(MONTHS).to_string()),
    // Domains, emails, and usernames
    ("randomDomainName", |d| d.gen.domain()),
    ("randomDomainSuffix", |d| d.pick(TLDS).to_string()),
    ("randomDomainWord", |d| d.gen.word().to_string()),
    // A person of the locale each (names folded to ASCII, romanized where needed).
    ("randomEmail", |d| d.gen.with_persona(|p| p.email())),
    ("randomExampleEmail", |d| d.gen.with_persona(|p| p.email())),
    ("randomUserName", |d| d.gen.with_persona(|p| p.username())),
    ("randomUrl", |d| d.gen.url()),
    // Files and directories
    ("randomFileName", |d| {
        filesystem::FileName().fake_with_rng(d.gen.rng)
    }),
    ("randomFileType", |d| d.pick(FILE_TYPES).to_string()),
    ("randomFileExt", |d| {
        filesystem::FileExtension().fake_with_rng(d.gen.rng)
    }),
    ("randomCommonFileName", |d| {
        let a = d.gen.lorem_word();
        let b = d.gen.lorem_word();
        format!("{a}_{b}.{}", d.pick(COMMON_FILE_EXTS))
    }),
    ("randomCommonFileType", |d| {
        d.pick(COMMON_FILE_TYPES).to_string()
    }),
    ("randomCommonFileExt", |d| {
        d.pick(COMMON_FILE_EXTS).to_string()
    }),
    ("randomFilePath", |d| {
        filesystem::FilePath().fake_with_rng(d.gen.rng)
    }),
    ("randomDirectoryPath", |d| {
        filesystem::DirPath().fake_with_rng(d.gen.rng)
    }),
    ("randomMimeType", |d| {
        filesystem::MimeType().fake_with_rng(d.gen.rng)
    }),
    // Stores
    ("randomPrice", |d| d.fixed(0, 1000, 2)),
    ("randomProduct", |d| d.pick(PRODUCTS).to_string()),
    ("randomProductAdjective", |d| {
        d.pick(PRODUCT_ADJECTIVES).to_string()
    }),
    ("randomProductMaterial", |d| {
        d.pick(PRODUCT_MATERIALS).to_string()
    }),
    ("randomProductName", |d| {
        let adjective = d.pick(PRODUCT_ADJECTIVES);
        let material = d.pick(PRODUCT_MATERIALS);
        format!("{adjective} {material} {}", d.pick(PRODUCTS))
    }),
    ("randomDepartment", |d| d.pick(DEPARTMENTS).to_string()),
    // Grammar
    ("randomNoun", |d| d.pick(HACKER_NOUNS).to_string()),
    ("randomVerb", |d| d.pick(HACKER_VERBS).to_string()),
    ("randomIngverb", |d| d.pick(HACKER_INGVERBS).to_string()),
    ("randomAdjective", |d| d.pick(HACKER_ADJECTIVES).to_string()),
    ("randomWord", |d| d.word()),
    ("randomWords", |d| {
        let n = d.between(2, 5);
        let words: Vec<String> = (0..n).map(|_| d.word()).collect();
        words.join(" ")
    }),
    ("randomPhrase", |d| d.phrase()),
    // Lorem ipsum
    ("randomLoremWord", |d| d.gen.lorem_word().to_string()),
    ("randomLoremWords", |d| d.lorem_words(3)),
    ("randomLoremSentence", |d| d.lorem_sentence()),
    ("randomLoremSentences", |d| d.lorem_sentences(2, 6, " ")),
    ("randomLoremParagraph", |d| d.lorem_paragraph()),
    ("randomLoremParagraphs", |d| {
        let paragraphs: Vec<String> = (0..3).map(|_| d.lorem_paragraph()).collect();
        paragraphs.join("\n")
    }),
    ("randomLoremText", |d| match d.below(3) {
        0 => d.lorem_sentence(),
        1 => d.lorem_sentences(2, 6, " "),
        _ => d.lorem_paragraph(),
    }),
    ("randomLoremSlug", |d| {
        let words: Vec<&str> = (0..3).map(|_| d.gen.lorem_word()).collect();
        words.join("-")
    }),
    ("randomLoremLines", |d| d.lorem_sentences(1, 5, "\n")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_draws_something_in_every_locale() {
        for &locale in Locale::ALL {
            let mut draws = Draws::new(3, locale, reference_now_ms(3));
            for (i, name) in names().enumerate() {
                let index = u16::try_from(i).expect("few variables");
                assert_eq!(index_of(name), Some(index));
                let v = draws.draw(index);
                assert!(!v.trim().is_empty(), "{locale} ${name}");
            }
        }
    }

    #[test]
    fn people_follow_the_locale() {
        use fake::locales::{Data, JA_JP};
        let draw = |locale: Locale, name: &str, seed: u64| {
            Draws::new(seed, locale, 0).draw(index_of(name).expect("a variable"))
        };
        for seed in 0..20 {
            let first = draw(Locale::Ja, "randomFirstName", seed);
            assert!(JA_JP::NAME_FIRST_NAME.contains(&first.as_str()), "{first}");
            let full = draw(Locale::ZhCn, "randomFullName", seed);
            assert!(!full.contains(' ') && !full.is_ascii(), "{full}");
            let email = draw(Locale::Ja, "randomEmail", seed);
            assert!(email.is_ascii() && email.contains('@'), "{email}");
            assert_eq!(
                draw(Locale::De, "randomCity", seed),
                draw(Locale::De, "randomCity", seed)
            );
        }
        assert_eq!(same_but_case("RANDOMEMAIL"), Some("randomEmail"));
        assert_eq!(index_of("nope"), None);
    }
}
