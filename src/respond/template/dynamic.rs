//! Postman's dynamic variables (`{{$guid}}`, `{{$randomFirstName}}`, ...): the table of names
//! and how each is drawn from the render's random stream, their word lists, and the time
//! helpers the date variables need (a reference instant from the seed, no wall clock).

use fake::faker::address::en as address;
use fake::faker::company::en as company;
use fake::faker::currency::en as currency;
use fake::faker::filesystem::en as filesystem;
use fake::faker::finance::en as finance;
use fake::faker::internet::en as internet;
use fake::faker::job::en as job;
use fake::faker::lorem::en as lorem;
use fake::faker::name::en as name;
use fake::Fake;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;
/// 2024-01-01T00:00:00Z in milliseconds.
const REFERENCE_BASE_MS: i64 = 1_704_067_200_000;

/// The reference "now" for `seed`: a whole minute within 2024, fixed for the seed.
pub(super) fn reference_now_ms(seed: u64) -> i64 {
    let minutes = (365 * DAY_MS / MINUTE_MS) as u64;
    REFERENCE_BASE_MS + (splitmix64(seed) % minutes) as i64 * MINUTE_MS
}

fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `2024-03-17T13:11:50.123Z`, clamped to years 0001–9999.
fn iso_ms(ms: i64) -> String {
    crate::generate::date_time_millis(ms)
}

// ---------------------------------------------------------------------------------------------
// Dynamic variables

/// The random stream and the reference instant of one render.
pub(super) struct Gen {
    rng: ChaCha8Rng,
    now_ms: i64,
}

impl Gen {
    pub(super) fn new(rng: ChaCha8Rng, now_ms: i64) -> Self {
        Gen { rng, now_ms }
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }

    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if lo >= hi {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
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

    fn uuid(&mut self) -> String {
        let mut b: [u8; 16] = self.rng.random();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let mut out = String::with_capacity(36);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            let _ = write!(out, "{byte:02x}");
        }
        out
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

    fn capitalized(s: &str) -> String {
        let mut c = s.chars();
        match c.next() {
            Some(first) => first.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    }

    fn lorem_word(&mut self) -> &'static str {
        lorem::Word().fake_with_rng(&mut self.rng)
    }

    fn lorem_words(&mut self, n: usize) -> String {
        let words: Vec<&str> = (0..n).map(|_| self.lorem_word()).collect();
        words.join(" ")
    }

    fn lorem_sentence(&mut self) -> String {
        let n = self.between(4, 10) as usize;
        format!("{}.", Self::capitalized(&self.lorem_words(n)))
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
            4 => company::BsNoun().fake_with_rng(&mut self.rng),
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
        Self::capitalized(&out)
    }

    fn domain_word(&mut self) -> String {
        let w: &str = if self.below(2) == 0 {
            name::FirstName().fake_with_rng(&mut self.rng)
        } else {
            name::LastName().fake_with_rng(&mut self.rng)
        };
        w.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    }

    fn domain_name(&mut self) -> String {
        let suffix: &str = internet::DomainSuffix().fake_with_rng(&mut self.rng);
        format!("{}.{suffix}", self.domain_word())
    }

    fn image(&mut self, category: &str) -> String {
        let lock = self.between(1, 99_999);
        format!("https://loremflickr.com/640/480/{category}?lock={lock}")
    }

    fn date_around(&mut self, lo_ms: i64, hi_ms: i64) -> String {
        let offset = self.between(lo_ms, hi_ms);
        iso_ms(self.now_ms.saturating_add(offset))
    }

    fn iban(&mut self) -> String {
        // (country, letters, digits) of the BBAN.
        const FORMATS: &[(&str, usize, usize)] = &[
            ("DE", 0, 18),
            ("GB", 4, 14),
            ("NL", 4, 10),
            ("FR", 0, 23),
            ("ES", 0, 20),
            ("BE", 0, 12),
            ("IT", 1, 22),
            ("AT", 0, 16),
        ];
        let (country, letters, digits) = FORMATS[self.below(FORMATS.len())];
        let mut bban = self.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", letters);
        bban.push_str(&self.digits(digits));
        let check = 98 - iban_mod97(bban.chars().chain(country.chars()).chain("00".chars()));
        format!("{country}{check:02}{bban}")
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

/// The IBAN checksum of characters (digits, letters as 10–35) modulo 97.
pub(super) fn iban_mod97(chars: impl Iterator<Item = char>) -> u32 {
    chars.fold(0, |rem, c| match c.to_digit(36) {
        Some(v) if v < 10 => (rem * 10 + v) % 97,
        Some(v) => (rem * 100 + v) % 97,
        None => rem,
    })
}

pub(super) fn dynamic_index(name: &str) -> Option<u16> {
    DYNAMIC_VARIABLES
        .iter()
        .position(|(n, _)| *n == name)
        .and_then(|i| u16::try_from(i).ok())
}

pub(super) type Generator = fn(&mut Gen) -> String;

/// Postman's dynamic variables (names without `$`), in the order of its reference.
pub(super) static DYNAMIC_VARIABLES: &[(&str, Generator)] = &[
    // Common
    ("guid", |g| g.uuid()),
    ("timestamp", |g| g.now_ms.div_euclid(1000).to_string()),
    ("isoTimestamp", |g| iso_ms(g.now_ms)),
    ("randomUUID", |g| g.uuid()),
    // Text, numbers, and colors
    ("randomAlphaNumeric", |g| {
        g.chars(b"0123456789abcdefghijklmnopqrstuvwxyz", 1)
    }),
    ("randomBoolean", |g| (g.below(2) == 1).to_string()),
    ("randomInt", |g| g.between(0, 1000).to_string()),
    ("randomColor", |g| g.pick(COLORS).to_string()),
    ("randomHexColor", |g| {
        format!("#{:06x}", g.between(0, 0xff_ffff))
    }),
    ("randomAbbreviation", |g| g.pick(ABBREVIATIONS).to_string()),
    // Internet and IP addresses
    ("randomIP", |g| internet::IPv4().fake_with_rng(&mut g.rng)),
    ("randomIPV6", |g| internet::IPv6().fake_with_rng(&mut g.rng)),
    ("randomMACAddress", |g| {
        internet::MACAddress().fake_with_rng(&mut g.rng)
    }),
    ("randomPassword", |g| {
        g.chars(
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            15,
        )
    }),
    ("randomLocale", |g| g.pick(LOCALES).to_string()),
    ("randomUserAgent", |g| {
        internet::UserAgent().fake_with_rng(&mut g.rng)
    }),
    ("randomProtocol", |g| g.pick(&["http", "https"]).to_string()),
    ("randomSemver", |g| {
        filesystem::SemverStable().fake_with_rng(&mut g.rng)
    }),
    // Names
    ("randomFirstName", |g| {
        name::FirstName().fake_with_rng(&mut g.rng)
    }),
    ("randomLastName", |g| {
        name::LastName().fake_with_rng(&mut g.rng)
    }),
    ("randomFullName", |g| name::Name().fake_with_rng(&mut g.rng)),
    ("randomNamePrefix", |g| {
        name::Title().fake_with_rng(&mut g.rng)
    }),
    ("randomNameSuffix", |g| {
        name::Suffix().fake_with_rng(&mut g.rng)
    }),
    // Profession
    ("randomJobArea", |g| job::Field().fake_with_rng(&mut g.rng)),
    ("randomJobDescriptor", |g| {
        job::Seniority().fake_with_rng(&mut g.rng)
    }),
    ("randomJobTitle", |g| job::Title().fake_with_rng(&mut g.rng)),
    ("randomJobType", |g| {
        job::Position().fake_with_rng(&mut g.rng)
    }),
    // Phone, address, and location
    ("randomPhoneNumber", |g| g.numerify("^##-###-####")),
    ("randomPhoneNumberExt", |g| g.numerify("^#-^##-###-####")),
    ("randomCity", |g| {
        address::CityName().fake_with_rng(&mut g.rng)
    }),
    ("randomStreetName", |g| {
        address::StreetName().fake_with_rng(&mut g.rng)
    }),
    ("randomStreetAddress", |g| {
        let number: String = address::BuildingNumber().fake_with_rng(&mut g.rng);
        let street: String = address::StreetName().fake_with_rng(&mut g.rng);
        format!("{number} {street}")
    }),
    ("randomCountry", |g| {
        address::CountryName().fake_with_rng(&mut g.rng)
    }),
    ("randomCountryCode", |g| {
        address::CountryCode().fake_with_rng(&mut g.rng)
    }),
    ("randomLatitude", |g| g.fixed(-90, 90, 4)),
    ("randomLongitude", |g| g.fixed(-180, 180, 4)),
    // Images
    ("randomAvatarImage", |g| {
        format!(
            "https://avatars.githubusercontent.com/u/{}",
            g.between(1, 99_999_999)
        )
    }),
    ("randomImageUrl", |g| {
        format!(
            "https://loremflickr.com/640/480?lock={}",
            g.between(1, 99_999)
        )
    }),
    ("randomAbstractImage", |g| g.image("abstract")),
    ("randomAnimalsImage", |g| g.image("animals")),
    ("randomBusinessImage", |g| g.image("business")),
    ("randomCatsImage", |g| g.image("cats")),
    ("randomCityImage", |g| g.image("city")),
    ("randomFoodImage", |g| g.image("food")),
    ("randomNightlifeImage", |g| g.image("nightlife")),
    ("randomFashionImage", |g| g.image("fashion")),
    ("randomPeopleImage", |g| g.image("people")),
    ("randomNatureImage", |g| g.image("nature")),
    ("randomSportsImage", |g| g.image("sports")),
    ("randomTransportImage", |g| g.image("transport")),
    ("randomImageDataUri", |g| g.image_data_uri()),
    // Finance
    ("randomBankAccount", |g| g.digits(8)),
    ("randomBankAccountName", |g| {
        format!("{} Account", g.pick(ACCOUNT_KINDS))
    }),
    ("randomCreditCardMask", |g| g.digits(4)),
    ("randomBankAccountBic", |g| {
        finance::Bic().fake_with_rng(&mut g.rng)
    }),
    ("randomBankAccountIban", |g| g.iban()),
    ("randomTransactionType", |g| {
        g.pick(&["deposit", "withdrawal", "payment", "invoice"])
            .to_string()
    }),
    ("randomCurrencyCode", |g| {
        currency::CurrencyCode().fake_with_rng(&mut g.rng)
    }),
    ("randomCurrencyName", |g| {
        currency::CurrencyName().fake_with_rng(&mut g.rng)
    }),
    ("randomCurrencySymbol", |g| {
        currency::CurrencySymbol().fake_with_rng(&mut g.rng)
    }),
    ("randomBitcoin", |g| g.bitcoin()),
    // Business
    ("randomCompanyName", |g| {
        company::CompanyName().fake_with_rng(&mut g.rng)
    }),
    ("randomCompanySuffix", |g| {
        company::CompanySuffix().fake_with_rng(&mut g.rng)
    }),
    ("randomBs", |g| company::Bs().fake_with_rng(&mut g.rng)),
    ("randomBsAdjective", |g| {
        company::BsAdj().fake_with_rng(&mut g.rng)
    }),
    ("randomBsBuzz", |g| {
        company::BsVerb().fake_with_rng(&mut g.rng)
    }),
    ("randomBsNoun", |g| {
        company::BsNoun().fake_with_rng(&mut g.rng)
    }),
    // Catchphrases
    ("randomCatchPhrase", |g| {
        company::CatchPhrase().fake_with_rng(&mut g.rng)
    }),
    ("randomCatchPhraseAdjective", |g| {
        company::Buzzword().fake_with_rng(&mut g.rng)
    }),
    ("randomCatchPhraseDescriptor", |g| {
        company::BuzzwordMiddle().fake_with_rng(&mut g.rng)
    }),
    ("randomCatchPhraseNoun", |g| {
        company::BuzzwordTail().fake_with_rng(&mut g.rng)
    }),
    // Databases
    ("randomDatabaseColumn", |g| g.pick(DB_COLUMNS).to_string()),
    ("randomDatabaseType", |g| g.pick(DB_TYPES).to_string()),
    ("randomDatabaseCollation", |g| {
        g.pick(DB_COLLATIONS).to_string()
    }),
    ("randomDatabaseEngine", |g| g.pick(DB_ENGINES).to_string()),
    // Dates
    ("randomDateFuture", |g| g.date_around(1000, 365 * DAY_MS)),
    ("randomDatePast", |g| g.date_around(-365 * DAY_MS, -1000)),
    ("randomDateRecent", |g| g.date_around(-DAY_MS, -1000)),
    ("randomWeekday", |g| g.pick(WEEKDAYS).to_string()),
    ("randomMonth", |g| g.pick(MONTHS).to_string()),
    // Domains, emails, and usernames
    ("randomDomainName", |g| g.domain_name()),
    ("randomDomainSuffix", |g| {
        internet::DomainSuffix().fake_with_rng(&mut g.rng)
    }),
    ("randomDomainWord", |g| g.domain_word()),
    ("randomEmail", |g| {
        internet::FreeEmail().fake_with_rng(&mut g.rng)
    }),
    ("randomExampleEmail", |g| {
        internet::SafeEmail().fake_with_rng(&mut g.rng)
    }),
    ("randomUserName", |g| {
        internet::Username().fake_with_rng(&mut g.rng)
    }),
    ("randomUrl", |g| format!("https://{}", g.domain_name())),
    // Files and directories
    ("randomFileName", |g| {
        filesystem::FileName().fake_with_rng(&mut g.rng)
    }),
    ("randomFileType", |g| g.pick(FILE_TYPES).to_string()),
    ("randomFileExt", |g| {
        filesystem::FileExtension().fake_with_rng(&mut g.rng)
    }),
    ("randomCommonFileName", |g| {
        let a = g.lorem_word();
        let b = g.lorem_word();
        format!("{a}_{b}.{}", g.pick(COMMON_FILE_EXTS))
    }),
    ("randomCommonFileType", |g| {
        g.pick(COMMON_FILE_TYPES).to_string()
    }),
    ("randomCommonFileExt", |g| {
        g.pick(COMMON_FILE_EXTS).to_string()
    }),
    ("randomFilePath", |g| {
        filesystem::FilePath().fake_with_rng(&mut g.rng)
    }),
    ("randomDirectoryPath", |g| {
        filesystem::DirPath().fake_with_rng(&mut g.rng)
    }),
    ("randomMimeType", |g| {
        filesystem::MimeType().fake_with_rng(&mut g.rng)
    }),
    // Stores
    ("randomPrice", |g| g.fixed(0, 1000, 2)),
    ("randomProduct", |g| g.pick(PRODUCTS).to_string()),
    ("randomProductAdjective", |g| {
        g.pick(PRODUCT_ADJECTIVES).to_string()
    }),
    ("randomProductMaterial", |g| {
        g.pick(PRODUCT_MATERIALS).to_string()
    }),
    ("randomProductName", |g| {
        let adjective = g.pick(PRODUCT_ADJECTIVES);
        let material = g.pick(PRODUCT_MATERIALS);
        format!("{adjective} {material} {}", g.pick(PRODUCTS))
    }),
    ("randomDepartment", |g| g.pick(DEPARTMENTS).to_string()),
    // Grammar
    ("randomNoun", |g| g.pick(HACKER_NOUNS).to_string()),
    ("randomVerb", |g| g.pick(HACKER_VERBS).to_string()),
    ("randomIngverb", |g| g.pick(HACKER_INGVERBS).to_string()),
    ("randomAdjective", |g| g.pick(HACKER_ADJECTIVES).to_string()),
    ("randomWord", |g| g.word()),
    ("randomWords", |g| {
        let n = g.between(2, 5);
        let words: Vec<String> = (0..n).map(|_| g.word()).collect();
        words.join(" ")
    }),
    ("randomPhrase", |g| g.phrase()),
    // Lorem ipsum
    ("randomLoremWord", |g| g.lorem_word().to_string()),
    ("randomLoremWords", |g| g.lorem_words(3)),
    ("randomLoremSentence", |g| g.lorem_sentence()),
    ("randomLoremSentences", |g| g.lorem_sentences(2, 6, " ")),
    ("randomLoremParagraph", |g| g.lorem_paragraph()),
    ("randomLoremParagraphs", |g| {
        let paragraphs: Vec<String> = (0..3).map(|_| g.lorem_paragraph()).collect();
        paragraphs.join("\n")
    }),
    ("randomLoremText", |g| match g.below(3) {
        0 => g.lorem_sentence(),
        1 => g.lorem_sentences(2, 6, " "),
        _ => g.lorem_paragraph(),
    }),
    ("randomLoremSlug", |g| {
        let words: Vec<&str> = (0..3).map(|_| g.lorem_word()).collect();
        words.join("-")
    }),
    ("randomLoremLines", |g| g.lorem_sentences(1, 5, "\n")),
];

const COLORS: &[&str] = &[
    "red",
    "green",
    "blue",
    "yellow",
    "purple",
    "mint green",
    "teal",
    "white",
    "black",
    "orange",
    "pink",
    "grey",
    "maroon",
    "violet",
    "turquoise",
    "tan",
    "sky blue",
    "salmon",
    "plum",
    "orchid",
    "olive",
    "magenta",
    "lime",
    "ivory",
    "indigo",
    "gold",
    "fuchsia",
    "cyan",
    "azure",
    "lavender",
    "silver",
];

const ABBREVIATIONS: &[&str] = &[
    "ADP", "AGP", "AI", "API", "ASCII", "CLI", "COM", "CSS", "DNS", "DRAM", "EXE", "FTP", "GB",
    "HDD", "HEX", "HTTP", "IB", "IP", "JBOD", "JSON", "OCR", "PCI", "PNG", "RAM", "RSS", "SAS",
    "SCSI", "SDD", "SMS", "SMTP", "SQL", "SSD", "SSL", "TCP", "THX", "TLS", "UDP", "USB", "UTF8",
    "XML", "XSS",
];

/// ISO 639-1 language codes.
const LOCALES: &[&str] = &[
    "af", "am", "an", "ar", "az", "be", "bg", "bn", "br", "bs", "ca", "co", "cs", "cy", "da", "de",
    "el", "en", "eo", "es", "et", "eu", "fa", "fi", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu",
    "ha", "he", "hi", "hr", "ht", "hu", "hy", "ia", "id", "ig", "is", "it", "ja", "jv", "ka", "kk",
    "km", "kn", "ko", "ku", "ky", "la", "lb", "ln", "lo", "lt", "lv", "mg", "mi", "mk", "ml", "mn",
    "mr", "ms", "mt", "my", "nb", "ne", "nl", "nn", "no", "ny", "oc", "om", "or", "pa", "pl", "ps",
    "pt", "qu", "rm", "ro", "ru", "sd", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "st", "su",
    "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "to", "tr", "tt", "ug", "uk", "ur", "uz", "vi",
    "wa", "xh", "yi", "yo", "zh", "zu",
];

const ACCOUNT_KINDS: &[&str] = &[
    "Checking",
    "Savings",
    "Money Market",
    "Investment",
    "Home Loan",
    "Credit Card",
    "Auto Loan",
    "Personal Loan",
];

const DB_COLUMNS: &[&str] = &[
    "id",
    "title",
    "name",
    "email",
    "phone",
    "token",
    "group",
    "category",
    "password",
    "comment",
    "avatar",
    "status",
    "createdAt",
    "updatedAt",
];

const DB_TYPES: &[&str] = &[
    "int",
    "varchar",
    "text",
    "date",
    "datetime",
    "tinyint",
    "time",
    "timestamp",
    "smallint",
    "mediumint",
    "bigint",
    "decimal",
    "float",
    "double",
    "real",
    "bit",
    "boolean",
    "serial",
    "blob",
    "binary",
    "enum",
    "set",
    "geometry",
    "point",
];

const DB_COLLATIONS: &[&str] = &[
    "utf8_unicode_ci",
    "utf8_general_ci",
    "utf8_bin",
    "ascii_bin",
    "ascii_general_ci",
    "cp1250_bin",
    "cp1250_general_ci",
];

const DB_ENGINES: &[&str] = &["InnoDB", "MyISAM", "MEMORY", "CSV", "BLACKHOLE", "ARCHIVE"];

pub(super) const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub(super) const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const FILE_TYPES: &[&str] = &[
    "application",
    "audio",
    "font",
    "image",
    "message",
    "model",
    "multipart",
    "text",
    "video",
];

const COMMON_FILE_TYPES: &[&str] = &["application", "audio", "image", "text", "video"];

const COMMON_FILE_EXTS: &[&str] = &[
    "pdf", "mpeg", "wav", "png", "jpeg", "gif", "mp4", "mp2", "m2v", "htm", "html", "txt", "json",
    "csv",
];

const PRODUCTS: &[&str] = &[
    "Chair", "Car", "Computer", "Keyboard", "Mouse", "Bike", "Ball", "Gloves", "Pants", "Shirt",
    "Table", "Shoes", "Hat", "Towels", "Soap", "Tuna", "Chicken", "Fish", "Cheese", "Bacon",
    "Pizza", "Salad", "Sausages", "Chips",
];

const PRODUCT_ADJECTIVES: &[&str] = &[
    "Small",
    "Ergonomic",
    "Rustic",
    "Intelligent",
    "Gorgeous",
    "Incredible",
    "Fantastic",
    "Practical",
    "Sleek",
    "Awesome",
    "Generic",
    "Handcrafted",
    "Handmade",
    "Licensed",
    "Refined",
    "Unbranded",
    "Tasty",
];

const PRODUCT_MATERIALS: &[&str] = &[
    "Steel", "Wooden", "Concrete", "Plastic", "Cotton", "Granite", "Rubber", "Metal", "Soft",
    "Fresh", "Frozen",
];

const DEPARTMENTS: &[&str] = &[
    "Books",
    "Movies",
    "Music",
    "Games",
    "Electronics",
    "Computers",
    "Home",
    "Garden",
    "Tools",
    "Grocery",
    "Health",
    "Beauty",
    "Toys",
    "Kids",
    "Baby",
    "Clothing",
    "Shoes",
    "Jewelery",
    "Sports",
    "Outdoors",
    "Automotive",
    "Industrial",
];

const HACKER_NOUNS: &[&str] = &[
    "driver",
    "protocol",
    "bandwidth",
    "panel",
    "microchip",
    "program",
    "port",
    "card",
    "array",
    "interface",
    "system",
    "sensor",
    "firewall",
    "hard drive",
    "pixel",
    "alarm",
    "feed",
    "monitor",
    "application",
    "transmitter",
    "bus",
    "circuit",
    "capacitor",
    "matrix",
];

const HACKER_VERBS: &[&str] = &[
    "back up",
    "bypass",
    "hack",
    "override",
    "compress",
    "copy",
    "navigate",
    "index",
    "connect",
    "generate",
    "quantify",
    "calculate",
    "synthesize",
    "input",
    "transmit",
    "program",
    "reboot",
    "parse",
];

const HACKER_INGVERBS: &[&str] = &[
    "backing up",
    "bypassing",
    "hacking",
    "overriding",
    "compressing",
    "copying",
    "navigating",
    "indexing",
    "connecting",
    "generating",
    "quantifying",
    "calculating",
    "synthesizing",
    "transmitting",
    "programming",
    "parsing",
];

const HACKER_ADJECTIVES: &[&str] = &[
    "auxiliary",
    "primary",
    "back-end",
    "digital",
    "open-source",
    "virtual",
    "cross-platform",
    "redundant",
    "online",
    "haptic",
    "multi-byte",
    "bluetooth",
    "wireless",
    "1080p",
    "neural",
    "optical",
    "solid state",
    "mobile",
];

const HACKER_PHRASES: &[&str] = &[
    "if we {verb} the {noun}, we can get to the {abbreviation} {noun} through the {adjective} {abbreviation} {noun}!",
    "we need to {verb} the {adjective} {abbreviation} {noun}!",
    "try to {verb} the {abbreviation} {noun}, maybe it will {verb} the {adjective} {noun}!",
    "you can't {verb} the {noun} without {ingverb} the {adjective} {abbreviation} {noun}!",
    "use the {adjective} {abbreviation} {noun}, then you can {verb} the {adjective} {noun}!",
    "the {abbreviation} {noun} is down, {verb} the {adjective} {noun} so we can {verb} the {abbreviation} {noun}!",
    "{ingverb} the {noun} won't do anything, we need to {verb} the {adjective} {abbreviation} {noun}!",
    "I'll {verb} the {adjective} {abbreviation} {noun}, that should {verb} the {abbreviation} {noun}!",
];
