//! Believable values from property names and `x-faker` hints.
//!
//! A property name is classified once into a [`Kind`] (`firstName` → `FirstName`,
//! `order_total` → `Money`, `createdAt` → `Created`, ...); the type generators then ask for a
//! value of that kind and keep it only if it satisfies the schema. People and timelines are
//! kept per object, so `email` matches `firstName`/`lastName` and `updatedAt` never precedes
//! `createdAt`.
//!
//! Names, addresses, phone numbers, companies, job titles and (for Chinese) prose follow
//! [`GenOptions::locale`](super::GenOptions::locale), from `fake`'s tables where it has them
//! and English where it does not (see [`super::locale`]).

use super::locale::{latin_slug, romanized_family_name, source, with_data, Field};
use super::time::{self, DAY, HOUR};
use super::{Choice, Gen, Locale as Loc};
use fake::faker::address::en as address;
use fake::faker::address::raw as address_in;
use fake::faker::company::en as company;
use fake::faker::company::raw as company_in;
use fake::faker::currency::en as currency;
use fake::faker::filesystem::en as filesystem;
use fake::faker::internet::en as internet;
use fake::faker::job::en as job;
use fake::faker::job::raw as job_in;
use fake::faker::name::raw as name_in;
use fake::locales::{DE_DE, FR_FR, IT_IT, JA_JP, PT_BR, ZH_CN};
use fake::Fake;
use serde_json::Value;
use std::borrow::Cow;

/// What a value stands for, as far as names and hints tell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Kind {
    #[default]
    None,
    FirstName,
    LastName,
    FullName,
    Username,
    Email,
    Phone,
    Street,
    City,
    State,
    Zip,
    Country,
    CountryCode,
    Company,
    JobTitle,
    Url,
    Image,
    Domain,
    Ip,
    UserAgent,
    Money,
    Currency,
    Percent,
    Latitude,
    Longitude,
    Color,
    FileName,
    MimeType,
    Text,
    Paragraph,
    Sentence,
    Title,
    Label,
    Word,
    Created,
    Updated,
    Timestamp,
    Future,
    Birthday,
    Id,
    Uuid,
    Slug,
    Status,
    Tag,
    Count,
    Age,
    Year,
    Rating,
    Version,
    Locale,
    Timezone,
    Password,
    Port,
    Boolean,
    // Shapes published specs are full of (generated in src/generate/hints.rs).
    /// `line2`: apartment, suite, floor.
    AddressLine2,
    /// `last4`: the last four digits of a card or account.
    Last4,
    /// `fingerprint`, `hash`, `checksum`, Discord's image hashes (`avatar` is an image URL).
    Hash,
    /// `token`, `verify_key`, `secret`-like opaque strings.
    Token,
    /// `*_code`, `*_reason`, `*_method`: a snake_case code (`document_expired`).
    Code,
    /// `currently_due` items and the like: a dotted field path (`business_profile.url`).
    FieldPath,
    /// `reference`, `invoice_number`: an uppercase reference (`INV-20481`).
    Reference,
    /// `bank_name`: a bank.
    Bank,
    /// `statement_descriptor`: what a card statement shows (`ACME STORE`).
    Descriptor,
    /// `routing_number`: nine digits.
    RoutingNumber,
    /// `mcc`: a four-digit merchant category code.
    Mcc,
    /// A short numeric code: Discord's `discriminator` (`0427`).
    Discriminator,
    /// `emoji`, `unicode_emoji`.
    Emoji,
    /// `region`-like slugs of data centres (`us-east`).
    Region,
    /// A whole number written as a string (`permissions`: `"2147483648"`).
    NumericString,
    /// The id of another object the name stands for (`owner`, `source`, `on_behalf_of`,
    /// `latest_attempt`): `src_…`, prefixed from the name.
    ObjectRef,
    /// `priority`: low, normal, high, urgent.
    Priority,
    /// `upc` (12 digits), `ean` (13), `gtin`.
    Barcode,
    /// `cvc`, `cvv`: three digits.
    Cvc,
    /// `iban`: an IBAN-shaped account number.
    Iban,
    /// `genre`, `genres`: music and media genres.
    Genre,
}

/// Classifies a property name (case-, `_`- and `-`-insensitive).
pub(crate) fn classify(name: &str) -> Kind {
    // Normalised on the stack: this runs for every property of every object.
    let mut buf = [0u8; 64];
    let mut len = 0;
    for b in name.bytes().filter(u8::is_ascii_alphanumeric) {
        if len == buf.len() {
            return Kind::None;
        }
        buf[len] = b.to_ascii_lowercase();
        len += 1;
    }
    let norm = std::str::from_utf8(&buf[..len]).unwrap_or("");
    if let Some(kind) = exact(norm) {
        return kind;
    }
    by_affix(name, norm)
}

/// Classifies the items of an array property: `tags` → `Tag`, `emails` → `Email`,
/// `photoUrls` → `Image`.
pub(crate) fn classify_item(name: &str) -> Kind {
    let kind = classify(name);
    if kind != Kind::None {
        return kind;
    }
    for suffix in ["s", "es"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            let kind = classify(stem);
            if kind != Kind::None {
                return kind;
            }
        }
    }
    Kind::None
}

fn exact(n: &str) -> Option<Kind> {
    use Kind::*;
    Some(match n {
        "firstname" | "givenname" | "forename" | "fname" => FirstName,
        "lastname" | "surname" | "familyname" | "lname" => LastName,
        "name" | "fullname" | "displayname" | "contactname" | "customername" | "personname"
        | "author" | "authorname" | "ownername" | "realname" | "recipient" | "recipientname" => {
            FullName
        }
        "username" | "login" | "userlogin" | "handle" | "nickname" | "screenname" | "nick" => {
            Username
        }
        "email" | "emailaddress" | "mail" => Email,
        "phone" | "phonenumber" | "mobile" | "mobilephone" | "tel" | "telephone" | "cell"
        | "cellphone" | "fax" => Phone,
        "street" | "streetaddress" | "address" | "addressline" | "addressline1" | "line1"
        | "address1" | "streetname" => Street,
        "city" | "town" | "locality" => City,
        "state" | "province" | "region" | "county" | "stateprovince" => State,
        "zip" | "zipcode" | "postalcode" | "postcode" | "postal" => Zip,
        "country" | "countryname" => Country,
        "countrycode" | "countryiso" | "iso2" => CountryCode,
        "company" | "companyname" | "organization" | "organisation" | "org" | "employer"
        | "vendor" | "manufacturer" | "brand" | "publisher" => Company,
        "jobtitle" | "position" | "occupation" | "profession" | "job" => JobTitle,
        "url" | "website" | "homepage" | "link" | "href" | "uri" | "webpage" | "site" | "blog" => {
            Url
        }
        "avatar" | "avatarurl" | "image" | "imageurl" | "photo" | "photourl" | "picture"
        | "pictureurl" | "thumbnail" | "thumbnailurl" | "icon" | "iconurl" | "logo" | "logourl"
        | "img" => Image,
        "domain" | "hostname" | "host" => Domain,
        "ip" | "ipaddress" | "ipv4" | "remoteip" | "clientip" => Ip,
        "useragent" => UserAgent,
        "price" | "amount" | "total" | "cost" | "subtotal" | "balance" | "fee" | "tax"
        | "salary" | "revenue" | "totalprice" | "unitprice" | "totalamount" => Money,
        "currency" | "currencycode" => Currency,
        "percent" | "percentage" | "pct" => Percent,
        "lat" | "latitude" => Latitude,
        "lng" | "lon" | "long" | "longitude" => Longitude,
        "color" | "colour" => Color,
        "filename" | "file" => FileName,
        "mimetype" | "contenttype" | "mediatype" | "mime" => MimeType,
        "description" | "body" | "comment" | "summary" | "bio" | "about" | "content"
        | "message" | "text" | "note" | "notes" | "details" | "biography" | "review"
        | "excerpt" | "caption" => Text,
        "title" | "subject" | "headline" | "heading" => Title,
        "slug" | "permalink" => Slug,
        "type" | "kind" => Word,
        "status" => Status,
        "tag" | "tags" | "label" | "labels" | "keyword" | "keywords" | "category"
        | "categories" => Tag,
        "count" | "quantity" | "qty" | "stock" => Count,
        "age" => Age,
        "year" => Year,
        "rating" | "stars" | "score" => Rating,
        "version" => Version,
        "locale" | "language" | "lang" => Locale,
        "timezone" | "tz" => Timezone,
        "password" | "passwd" | "secret" => Password,
        "port" => Port,
        "id" | "guid" => Id,
        "uuid" => Uuid,
        "created" | "createdat" | "createdon" | "creationdate" | "datecreated" | "createddate"
        | "createdtime" => Created,
        "updated" | "updatedat" | "modified" | "modifiedat" | "lastmodified" | "lastupdated"
        | "updatedon" | "datemodified" | "changedat" | "editedat" => Updated,
        "timestamp" | "datetime" | "date" | "time" => Timestamp,
        "birthdate" | "dateofbirth" | "dob" | "birthday" => Birthday,
        "expiresat" | "expiry" | "expiration" | "expirationdate" | "duedate" | "deadline"
        | "validuntil" | "endsat" | "enddate" => Future,
        "productname" | "product" | "itemname" => Label,
        "enabled" | "active" | "verified" | "deleted" | "archived" | "visible" | "published" => {
            Boolean
        }
        "line2" | "addressline2" | "address2" | "apartment" | "suite" => AddressLine2,
        "last4" | "dynamiclast4" | "lastfour" | "last4digits" => Last4,
        "fingerprint" | "hash" | "checksum" | "sha" | "sha1" | "sha256" | "md5" | "etag"
        | "banner" | "splash" | "discoverysplash" | "asset" | "coverimage" | "front" | "back" => {
            Hash
        }
        "token" | "verifykey" | "accesstoken" | "refreshtoken" | "apikey" | "nonce"
        | "clientsecret" => Token,
        "requirement"
        | "currentlydue"
        | "eventuallydue"
        | "pastdue"
        | "pendingverification"
        | "alternativefieldsdue"
        | "originalfieldsdue"
        | "param"
        | "field" => FieldPath,
        "reference" | "invoicenumber" | "ordernumber" | "receiptnumber" | "confirmationnumber"
        | "referencenumber" | "number" => Reference,
        "bankname" | "bank" => Bank,
        "statementdescriptor" | "statementdescriptorsuffix" | "statementdescriptorprefix" => {
            Descriptor
        }
        "routingnumber" | "sortcode" => RoutingNumber,
        "mcc" | "merchantcategorycode" => Mcc,
        "discriminator" => Discriminator,
        "emoji" | "unicodeemoji" | "emojiname" => Emoji,
        "rtcregion" | "datacenter" | "availabilityzone" => Region,
        "permissions" | "flags" | "allow" | "deny" => NumericString,
        "globalname" | "verifiedname" | "accountholdername" | "cardholdername" | "holdername"
        | "billingname" | "shippingname" | "fullnamealiases" => FullName,
        "maidenname" => LastName,
        "owner"
        | "source"
        | "destination"
        | "onbehalfof"
        | "transaction"
        | "latestattempt"
        | "replacementfor"
        | "replacedby"
        | "session"
        | "receiveddebit"
        | "receivedcredit"
        | "debitreversal"
        | "sourcetransferreversal"
        | "pendingsetupintent"
        | "schedule"
        | "authorization"
        | "cardholder"
        | "transfergroup"
        | "subscription"
        | "invoice"
        | "charge"
        | "paymentintent"
        | "setupintent"
        | "paymentmethod"
        | "account"
        | "application"
        | "balancetransaction"
        | "refund"
        | "dispute"
        | "payout"
        | "transfer"
        | "plan"
        | "coupon"
        | "promotioncode"
        | "quote"
        | "mandate"
        | "latestinvoice"
        | "defaultsource"
        | "defaultpaymentmethod"
        | "receiveddebits"
        | "receivedcredits"
        | "parent" => ObjectRef,
        "priority" | "severity" | "urgency" => Priority,
        "upc" | "ean" | "gtin" | "barcode" | "isbn" => Barcode,
        "cvc" | "cvv" | "cvv2" | "securitycode" => Cvc,
        "iban" | "senderiban" | "accountiban" => Iban,
        "genre" | "genres" => Genre,
        "availablemarkets" | "markets" | "countries" | "supportedcountries" => CountryCode,
        "trackingnumber" | "isrc" | "serialnumber" => Reference,
        "bsbnumber" | "transitnumber" | "institutionnumber" => RoutingNumber,
        "accountnumber" | "routingcode" => NumericString,
        "lookupkey" => Slug,
        "noncestr" => Token,
        "jurisdiction" => State,
        "emvauthdata"
        | "applicationcryptogram"
        | "terminalverificationresults"
        | "transactionstatusinformation"
        | "splashscreen" => Hash,
        "footer" | "memo" => Sentence,
        "nationality" => CountryCode,
        "placeholder" | "refusal" | "reason" | "instructions" | "transcript" | "hint" => Sentence,
        "channel" | "tiername" | "nickname2" | "productname2" => Label,
        "taxidregistrar" | "registrar" | "issuer" | "carrier" | "network" => Company,
        _ => return Option::None,
    })
}

/// Whether `name` ends with the word `word` as its own camelCase/snake_case/kebab-case word.
fn ends_with_word(name: &str, word: &str) -> bool {
    let n = name.len();
    let w = word.len();
    if n <= w || !name.is_char_boundary(n - w) {
        return false;
    }
    let (head, tail) = name.split_at(n - w);
    if !tail.eq_ignore_ascii_case(word) {
        return false;
    }
    let before = head.chars().next_back();
    match before {
        Some('_' | '-' | '.' | ' ') => true,
        Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() => {
            tail.starts_with(|t: char| t.is_ascii_uppercase())
        }
        _ => false,
    }
}

fn by_affix(name: &str, n: &str) -> Kind {
    use Kind::*;
    // Suffixes of the shapes published specs are full of, before the general rules.
    let ends = |s: &str| n.ends_with(s);
    if ends("line2") {
        return AddressLine2;
    }
    if ends("last4") {
        return Last4;
    }
    if ends("fingerprint") || ends("hash") || ends("checksum") {
        return Hash;
    }
    if ends("token") || ends("secret") && !ends("clientsecret") {
        return Token;
    }
    if ends("descriptor") || ends("descriptorkana") || ends("descriptorkanji") {
        return Descriptor;
    }
    if ends("bankname") {
        return Bank;
    }
    if n.starts_with("date") && n.len() > 4 {
        return Timestamp;
    }
    if (ends("png") || ends("svg") || ends("jpg") || ends("jpeg"))
        && ["image", "icon", "logo", "avatar", "photo"]
            .iter()
            .any(|w| n.contains(w))
    {
        return Image;
    }
    if ends_with_word(name, "code")
        || ends_with_word(name, "reason")
        || ends_with_word(name, "method")
        || ends_with_word(name, "type")
        || ends_with_word(name, "mode")
        || ends_with_word(name, "check")
    {
        return Code;
    }
    if ends_with_word(name, "id") {
        return Id;
    }
    if ends_with_word(name, "uuid") {
        return Uuid;
    }
    let ends = |s: &str| n.ends_with(s);
    let image_word = || {
        [
            "avatar",
            "image",
            "photo",
            "picture",
            "logo",
            "icon",
            "thumbnail",
        ]
        .iter()
        .any(|w| n.contains(w))
    };
    if ends("email") {
        Email
    } else if ends("firstname") {
        FirstName
    } else if ends("lastname") {
        LastName
    } else if ends("username") {
        Username
    } else if ends("phone") || ends("phonenumber") {
        Phone
    } else if (ends("url") || ends("uri") || ends("link") || ends("href")) && image_word() {
        Image
    } else if ends("url") || ends("uri") || ends("link") || ends("href") || ends("website") {
        Url
    } else if n.starts_with("created") {
        Created
    } else if n.starts_with("updated")
        || n.starts_with("modified")
        || n.starts_with("lastmodified")
        || is_ending_name(name)
    {
        Updated
    } else if n.starts_with("expire") || n.starts_with("due") || n.starts_with("validuntil") {
        Future
    } else if ends_with_word(name, "at")
        || ends_with_word(name, "on")
        || ends("date")
        || ends("datetime")
        || ends("timestamp")
        || ends("time")
    {
        Timestamp
    } else if ends("price")
        || ends("amount")
        || ends("cost")
        || ends("total")
        || ends("fee")
        || ends("balance")
    {
        Money
    } else if ends("count") || ends("quantity") {
        Count
    } else if ends("percent") || ends("percentage") {
        Percent
    } else if ends("latitude") {
        Latitude
    } else if ends("longitude") {
        Longitude
    } else if ends("countrycode") {
        CountryCode
    } else if ends("country") {
        Country
    } else if ends("city") {
        City
    } else if ends("zip") || ends("zipcode") || ends("postalcode") {
        Zip
    } else if ends("street") {
        Street
    } else if ends("currency") {
        Currency
    } else if ends("companyname") {
        Company
    } else if ends("filename") {
        FileName
    } else if ends("description")
        || ends("comment")
        || ends("summary")
        || ends("message")
        || ends("note")
        || ends("text")
        || ends("bio")
    {
        Text
    } else if ends("title") {
        Title
    } else if ends("status") {
        Status
    } else if ends("slug") {
        Slug
    } else if ends("tags") {
        Tag
    } else if ends("color") || ends("colour") {
        Color
    } else if ends("version") {
        Version
    } else if ends_with_word(name, "ip") {
        Ip
    } else if ends("name") {
        Label
    } else if (n.starts_with("is") || n.starts_with("has") || n.starts_with("can"))
        && name.len() > 3
        && name[2..].starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
    {
        Boolean
    } else {
        None
    }
}

/// Whether `name` is the instant something ended (`deletedAt`, `closed_at`, `canceled_at`,
/// `completedOn`, ...): a lifecycle instant after the last update.
pub(crate) fn is_ending_name(name: &str) -> bool {
    const ENDS: &[&str] = &[
        "deleted",
        "closed",
        "canceled",
        "cancelled",
        "completed",
        "ended",
        "finished",
        "resolved",
        "archived",
        "revoked",
        "terminated",
        "voided",
        "removed",
    ];
    let instant = ends_with_word(name, "at")
        || ends_with_word(name, "on")
        || ["date", "time", "timestamp"]
            .iter()
            .any(|s| ends_with_word(name, s));
    instant
        && name.len() > 3
        && ENDS
            .iter()
            .any(|e| name.len() > e.len() && name[..e.len()].eq_ignore_ascii_case(e))
}

/// The kind named by an `x-faker` / `x-stubborn-faker` value (`"internet.email"`, or an
/// object whose first key is such a path, as Prism accepts).
pub(crate) fn kind_of_path(v: &Value) -> Option<Kind> {
    let path = match v {
        Value::String(s) => s.as_str(),
        Value::Object(m) => m.keys().next()?.as_str(),
        _ => return Option::None,
    };
    let norm: String = path
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    use Kind::*;
    Some(match norm.as_str() {
        "name.firstname" | "person.firstname" => FirstName,
        "name.lastname" | "person.lastname" => LastName,
        "name.fullname" | "name.findname" | "person.fullname" | "name.name" => FullName,
        "internet.email" | "internet.exampleemail" => Email,
        "internet.url" => Url,
        "internet.username" | "internet.displayname" => Username,
        "internet.ip" | "internet.ipv4" => Ip,
        "internet.useragent" => UserAgent,
        "internet.domainname" => Domain,
        "internet.password" => Password,
        "internet.avatar" | "image.avatar" | "image.imageurl" | "image.url" | "image.image" => {
            Image
        }
        "internet.color" | "color.rgb" | "color.human" => Color,
        "address.city" | "location.city" => City,
        "address.country" | "location.country" => Country,
        "address.countrycode" | "location.countrycode" => CountryCode,
        "address.zipcode" | "location.zipcode" => Zip,
        "address.streetaddress" | "location.streetaddress" | "address.street" => Street,
        "address.state" | "location.state" => State,
        "address.latitude" | "location.latitude" => Latitude,
        "address.longitude" | "location.longitude" => Longitude,
        "address.timezone" | "location.timezone" => Timezone,
        "phone.phonenumber" | "phone.number" => Phone,
        "company.companyname" | "company.name" => Company,
        "name.jobtitle" | "person.jobtitle" => JobTitle,
        "lorem.sentence" => Sentence,
        "lorem.paragraph" | "lorem.paragraphs" | "lorem.text" => Paragraph,
        "lorem.word" | "lorem.words" => Word,
        "lorem.slug" => Slug,
        "datatype.uuid" | "string.uuid" | "random.uuid" => Uuid,
        "commerce.price" | "finance.amount" => Money,
        "commerce.productname" | "commerce.product" => Label,
        "finance.currencycode" => Currency,
        "system.filename" | "system.commonfilename" => FileName,
        "system.mimetype" => MimeType,
        "system.semver" => Version,
        "date.past" | "date.recent" | "date.anytime" => Timestamp,
        "date.future" | "date.soon" => Future,
        "date.birthdate" => Birthday,
        "datatype.boolean" => Boolean,
        "datatype.number" | "number.int" => Count,
        _ => return Option::None,
    })
}

/// The JSON type a kind suggests for a schema that allows several.
pub(crate) fn preferred_choice(kind: Kind) -> Option<Choice> {
    use Kind::*;
    match kind {
        Money | Percent | Latitude | Longitude | Rating => {
            Some(Choice::Number { integral_ok: true })
        }
        Count | Age | Year | Port => Some(Choice::Integer),
        Boolean => Some(Choice::Boolean),
        None => Option::None,
        _ => Some(Choice::String),
    }
}

/// One invented person; every name-like field of an object draws from the same one.
///
/// Its email address and username are drawn with it (the same random draws, in the same
/// order) but only written out when a field asks for them: most objects with a person show
/// one or neither.
#[derive(Clone, Debug)]
pub(crate) struct Persona {
    pub first: &'static str,
    pub last: &'static str,
    handle: Handle,
}

/// How a person's email address and username are written.
#[derive(Clone, Debug)]
enum Handle {
    /// Both names have Latin letters: `first.last@domain`-style addresses (`email` picks the
    /// shape) and `firstlast`-style usernames (`user` picks the shape, `n` its number).
    Latin {
        domain: &'static str,
        email: u8,
        user: u8,
        n: i64,
    },
    /// Names in another script: the romanized family name (or the like) and a number each,
    /// so the address stays ASCII.
    Other {
        base: Cow<'static, str>,
        domain: &'static str,
        email: (u8, i64),
        user: (u8, i64),
    },
}

impl Persona {
    /// The person's email address.
    pub(crate) fn email(&self) -> String {
        match &self.handle {
            Handle::Latin { domain, email, .. } => {
                let mut out =
                    String::with_capacity(self.first.len() + self.last.len() + domain.len() + 2);
                match email {
                    0 => {
                        push_slug(&mut out, self.first, false);
                        out.push('.');
                        push_slug(&mut out, self.last, false);
                    }
                    1 => {
                        push_slug(&mut out, self.first, false);
                        push_slug(&mut out, self.last, false);
                    }
                    _ => {
                        push_slug(&mut out, self.first, true);
                        out.push('.');
                        push_slug(&mut out, self.last, false);
                    }
                }
                out.push('@');
                out.push_str(domain);
                out
            }
            Handle::Other {
                base,
                domain,
                email: (shape, n),
                ..
            } => {
                let (base, mut buf): (&str, _) = (base, [0; 20]);
                let n = num(&mut buf, *n);
                match shape {
                    0 => cat(&[base, n, "@", domain]),
                    1 => cat(&[base, ".", n, "@", domain]),
                    _ => cat(&[base, "_", n, "@", domain]),
                }
            }
        }
    }

    /// The person's username.
    pub(crate) fn username(&self) -> String {
        match &self.handle {
            Handle::Latin { user, n, .. } => {
                let mut out = String::with_capacity(self.first.len() + self.last.len() + 4);
                match user {
                    0 => {
                        push_slug(&mut out, self.first, false);
                        push_slug(&mut out, self.last, false);
                    }
                    1 => {
                        push_slug(&mut out, self.first, false);
                        out.push('_');
                        push_slug(&mut out, self.last, false);
                        out.push_str(num(&mut [0; 20], *n));
                    }
                    _ => {
                        push_slug(&mut out, self.first, true);
                        push_slug(&mut out, self.last, false);
                        out.push_str(num(&mut [0; 20], *n));
                    }
                }
                out
            }
            Handle::Other {
                base,
                user: (shape, n),
                ..
            } => {
                let (base, mut buf): (&str, _) = (base, [0; 20]);
                let n = num(&mut buf, *n);
                match shape {
                    0 => cat(&[base, n]),
                    1 => cat(&[base, "_", n]),
                    _ => cat(&[base, n]),
                }
            }
        }
    }
}

/// Whether [`latin_slug`] of `s` has no character, without building it for plain names.
fn slug_is_empty(s: &str) -> bool {
    if s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        s.is_empty()
    } else {
        latin_slug(s).is_empty()
    }
}

/// Appends [`latin_slug`] of `s` (not empty), or with `initial` only its first character;
/// plain ASCII names are lowercased in place rather than through a new string.
fn push_slug(out: &mut String, s: &str, initial: bool) {
    if s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        let s = if initial { &s[..1] } else { s };
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        let slug = latin_slug(s);
        out.push_str(if initial { &slug[..1] } else { &slug });
    }
}

/// The pieces joined, in one allocation.
fn cat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for p in pieces {
        out.push_str(p);
    }
    out
}

/// `n` in decimal, as `format!` writes it, in `buf`.
fn num(buf: &mut [u8; 20], n: i64) -> &str {
    let mut at = buf.len();
    let neg = n < 0;
    let mut m = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if neg {
        at -= 1;
        buf[at] = b'-';
    }
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

const EMAIL_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
];
pub(super) const COLORS: &[&str] = &[
    "red", "green", "blue", "black", "white", "orange", "purple", "yellow", "gray", "brown",
    "pink", "teal", "navy", "silver",
];
const STATUSES: &[&str] = &["active", "pending", "completed", "inactive", "archived"];
const LOCALES: &[&str] = &[
    "en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "it-IT", "ja-JP", "pt-BR",
];
pub(super) const TLDS: &[&str] = &["com", "io", "net", "org", "dev"];

/// Size hints for text kinds: natural length range in characters and whether to write
/// sentences.
pub(crate) fn text_shape(kind: Kind) -> Option<(usize, usize, TextStyle)> {
    Some(match kind {
        Kind::Text => (40, 160, TextStyle::Sentences),
        Kind::Paragraph => (150, 400, TextStyle::Sentences),
        Kind::Sentence => (20, 80, TextStyle::Sentences),
        Kind::Title => (12, 40, TextStyle::TitleCase),
        Kind::Label => (3, 14, TextStyle::TitleCase),
        Kind::Word | Kind::Tag => (3, 12, TextStyle::OneWord),
        _ => return Option::None,
    })
}

/// How generic text is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextStyle {
    Words,
    Sentences,
    TitleCase,
    OneWord,
}

impl<'a, 'r> Gen<'a, 'r> {
    /// The person of the innermost object, invented on first use.
    /// `f` of the innermost object's person (drawn on first use), without copying the person.
    pub(super) fn with_persona<R>(&mut self, f: impl FnOnce(&Persona) -> R) -> R {
        if let Some(p) = self.objs.last().and_then(|o| o.persona.as_ref()) {
            return f(p);
        }
        let persona = self.draw_persona();
        let r = f(&persona);
        if let Some(o) = self.objs.last_mut() {
            o.persona = Some(persona);
        }
        r
    }

    fn draw_persona(&mut self) -> Persona {
        let names = source(self.opts.locale, Field::Name);
        let (first, last): (&'static str, &'static str) = with_data!(names, |l| {
            let first: &'static str = name_in::FirstName(l).fake_with_rng(self.rng);
            let last: &'static str = name_in::LastName(l).fake_with_rng(self.rng);
            (first, last)
        });
        let domain = EMAIL_DOMAINS[self.index(EMAIL_DOMAINS.len())];
        // Only the draws here: the strings are written when a field asks (`Persona::email`).
        let handle = if !slug_is_empty(first) && !slug_is_empty(last) {
            let email = self.index(3) as u8;
            let user = self.index(3) as u8;
            let n = match user {
                0 => 0,
                1 => self.between(1, 99),
                _ => self.between(1, 999),
            };
            Handle::Latin {
                domain,
                email,
                user,
                n,
            }
        } else {
            // Names in another script: the romanized family name and a number, so the
            // address stays ASCII (`format: email`) and still hints at the person.
            let base = match romanized_family_name(names, last) {
                Some(r) => Cow::Borrowed(r),
                None => match latin_slug(last) {
                    l if !l.is_empty() => Cow::Owned(l),
                    _ => Cow::Borrowed("user"),
                },
            };
            let shape = self.index(3) as u8;
            let email = match shape {
                0 => (shape, self.between(1, 999)),
                1 => (shape, self.between(1960, 2005)),
                _ => (shape, self.between(10, 99)),
            };
            let shape = self.index(3) as u8;
            let user = match shape {
                0 => (shape, self.between(1, 999)),
                1 => (shape, self.between(1, 99)),
                _ => (shape, self.between(1960, 2005)),
            };
            Handle::Other {
                base,
                domain,
                email,
                user,
            }
        };
        Persona {
            first,
            last,
            handle,
        }
    }

    /// The creation instant of the innermost object, invented on first use.
    fn created(&mut self) -> i64 {
        if let Some(c) = self.objs.last().and_then(|o| o.created) {
            return c;
        }
        let c = self.now - self.between(2 * HOUR, 400 * DAY);
        if let Some(o) = self.objs.last_mut() {
            o.created = Some(c);
        }
        c
    }

    /// The last-update instant of the innermost object (after its creation), and the instant
    /// it ended (`deletedAt`, `closed_at`, `canceled_at`, ...; after its last update).
    fn lifecycle(&mut self, ended: bool) -> i64 {
        let o = self.objs.last();
        let (updated, end) = (o.and_then(|o| o.updated), o.and_then(|o| o.ended));
        let u = match updated {
            Some(u) => u,
            None => {
                let c = self.created();
                let u = c + self.between(0, self.now - c);
                if let Some(o) = self.objs.last_mut() {
                    o.updated = Some(u);
                }
                u
            }
        };
        if !ended {
            return u;
        }
        end.unwrap_or_else(|| {
            let e = u + self.between(0, self.now - u);
            if let Some(o) = self.objs.last_mut() {
                o.ended = Some(e);
            }
            e
        })
    }

    /// An instant (seconds since the epoch) suiting `kind`, relative to the reference "now".
    pub(super) fn instant_for(&mut self, kind: Kind) -> i64 {
        match kind {
            Kind::Created => self.created(),
            Kind::Updated => {
                let ended = self.named.is_some_and(is_ending_name);
                self.lifecycle(ended)
            }
            Kind::Future => self.now + self.between(DAY, 365 * DAY),
            Kind::Birthday => {
                let d = self.now - self.between(18 * 365 * DAY, 80 * 365 * DAY);
                d - d.rem_euclid(DAY)
            }
            _ => self.now - self.between(0, 400 * DAY),
        }
    }

    /// A date/time string for `kind` in the shape `format` asks for (`date`, `time`,
    /// otherwise `date-time`).
    pub(super) fn instant_string(&mut self, kind: Kind, format: Option<&str>) -> String {
        let at = self.instant_for(kind);
        match format {
            Some("date") => time::date(at),
            Some("time") => time::time(at),
            _ if kind == Kind::Birthday => time::date(at),
            _ => time::date_time(at),
        }
    }

    /// A believable string for `kind`, or `None` when the kind has nothing to say. The
    /// caller checks the result against the schema.
    pub(super) fn fake_string(
        &mut self,
        kind: Kind,
        format: Option<&str>,
        lo: usize,
        hi: Option<usize>,
    ) -> Option<String> {
        use Kind::*;
        if let Some((nlo, nhi, style)) = text_shape(kind) {
            if matches!(kind, Text | Paragraph | Sentence | Title)
                && source(self.opts.locale, Field::Prose) == Loc::ZhCn
            {
                return Some(self.zh_text(lo, hi, nlo, nhi, style));
            }
            return Some(self.kind_text(kind, lo, hi, nlo, nhi, style));
        }
        if let Some(s) = self.shaped_string(kind, lo, hi) {
            return Some(s);
        }
        Some(match kind {
            None | Boolean | AddressLine2 | Last4 | Hash | Token | Code | FieldPath | Reference
            | Bank | Descriptor | RoutingNumber | Mcc | Discriminator | Emoji | Region
            | NumericString | ObjectRef | Priority | Barcode | Cvc | Iban | Genre => {
                return Option::None
            }
            FirstName => self.with_persona(|p| p.first.to_string()),
            LastName => self.with_persona(|p| p.last.to_string()),
            FullName => {
                let order = source(self.opts.locale, Field::Name);
                self.with_persona(|p| match order {
                    Loc::Ja => cat(&[p.last, " ", p.first]),
                    Loc::ZhCn => cat(&[p.last, p.first]),
                    _ => cat(&[p.first, " ", p.last]),
                })
            }
            Username => self.with_persona(Persona::username),
            Email => self.with_persona(Persona::email),
            Phone => with_data!(source(self.opts.locale, Field::Phone), |l| {
                phone_number(l, self.rng)
            }),
            Street => self.street(),
            // One place per object: city, region, postal code and country agree
            // (src/generate/locale.rs).
            City => match self.place_city() {
                Some(city) => city,
                Option::None => self.city(),
            },
            State => self.place_region(hi)?,
            Zip => self.place_postcode(),
            Country => self.place_country(false, hi)?,
            CountryCode => self.place_country(true, hi)?,
            Company => self.company(),
            JobTitle => self.job_title(),
            Url => self.url(),
            Image => self.image_url(),
            Domain => self.domain(),
            Ip => self.ipv4(),
            UserAgent => internet::UserAgent().fake_with_rng(self.rng),
            Currency => currency::CurrencyCode().fake_with_rng(self.rng),
            Color => COLORS[self.index(COLORS.len())].to_string(),
            FileName => filesystem::FileName().fake_with_rng(self.rng),
            MimeType => filesystem::MimeType().fake_with_rng(self.rng),
            Created | Updated | Timestamp | Future | Birthday => self.instant_string(kind, format),
            Id | Uuid => self.uuid(),
            Slug => {
                let n = self.between(2, 4);
                let words: Vec<&str> = (0..n).map(|_| self.word()).collect();
                words.join("-")
            }
            Status => STATUSES[self.index(STATUSES.len())].to_string(),
            Version => format!(
                "{}.{}.{}",
                self.between(0, 5),
                self.between(0, 20),
                self.between(0, 30)
            ),
            Locale => LOCALES[self.index(LOCALES.len())].to_string(),
            Timezone => address::TimeZone().fake_with_rng(self.rng),
            Password => self.password(lo.max(12), hi),
            Money | Percent | Latitude | Longitude | Count | Age | Year | Rating | Port => {
                // Numbers written as strings ("price": "19.99").
                let (wlo, whi, decimals) = number_window(kind)?;
                let x = self.rng_f64(wlo, whi);
                format!("{x:.prec$}", prec = decimals as usize)
            }
            Text | Paragraph | Sentence | Title | Label | Word | Tag => return Option::None,
        })
    }

    /// A street address in the locale's usual shape (`12 Rue Lefebvre`, `Müllerstraße 12`).
    pub(super) fn street(&mut self) -> String {
        use address_in::{StreetName, StreetSuffix};
        match source(self.opts.locale, Field::Street) {
            Loc::De => {
                // `fake`'s German template puts a space before `straße`.
                let name: &str = name_in::LastName(DE_DE).fake_with_rng(self.rng);
                let suffix: &str = StreetSuffix(DE_DE).fake_with_rng(self.rng);
                format!("{name}{suffix} {}", self.between(1, 199))
            }
            Loc::Fr => {
                let street: String = StreetName(FR_FR).fake_with_rng(self.rng);
                format!("{} {street}", self.between(1, 199))
            }
            Loc::It => {
                let street: String = StreetName(IT_IT).fake_with_rng(self.rng);
                format!("{street}, {}", self.between(1, 199))
            }
            Loc::PtBr => {
                let street: String = StreetName(PT_BR).fake_with_rng(self.rng);
                format!("{street}, {}", self.between(1, 1999))
            }
            Loc::ZhCn => {
                let street: String = StreetName(ZH_CN).fake_with_rng(self.rng);
                format!("{street}{}号", self.between(1, 299))
            }
            _ => {
                let number: String = address::BuildingNumber().fake_with_rng(self.rng);
                let street: String = address::StreetName().fake_with_rng(self.rng);
                format!("{number} {street}")
            }
        }
    }

    /// A town name. Built here from `fake`'s localized names, prefixes and suffixes, since
    /// some of its templates mix in English parts or whole personal names.
    pub(super) fn city(&mut self) -> String {
        use address_in::{CityPrefix, CitySuffix};
        use name_in::{FirstName, LastName};
        match source(self.opts.locale, Field::City) {
            Loc::De => {
                let prefix: &str = CityPrefix(DE_DE).fake_with_rng(self.rng);
                let name: &str = LastName(DE_DE).fake_with_rng(self.rng);
                let suffix: &str = CitySuffix(DE_DE).fake_with_rng(self.rng);
                match self.index(3) {
                    0 => format!("{prefix}{}{suffix}", name.to_lowercase()),
                    1 => format!("{prefix} {name}{suffix}"),
                    _ => format!("{name}{suffix}"),
                }
            }
            // `fake`'s French towns are bare names.
            Loc::Fr => LastName(FR_FR)
                .fake_with_rng::<&str, _>(self.rng)
                .to_string(),
            Loc::It => {
                let name: &str = if self.chance(0.75) {
                    LastName(IT_IT).fake_with_rng(self.rng)
                } else {
                    FirstName(IT_IT).fake_with_rng(self.rng)
                };
                let suffix: &str = CitySuffix(IT_IT).fake_with_rng(self.rng);
                format!("{name} {suffix}")
            }
            Loc::ZhCn => {
                let suffix: &str = CitySuffix(ZH_CN).fake_with_rng(self.rng);
                match self.index(3) {
                    0 => {
                        let prefix: &str = CityPrefix(ZH_CN).fake_with_rng(self.rng);
                        let name: &str = FirstName(ZH_CN).fake_with_rng(self.rng);
                        format!("{prefix}{name}{suffix}")
                    }
                    1 => {
                        let name: &str = FirstName(ZH_CN).fake_with_rng(self.rng);
                        format!("{name}{suffix}")
                    }
                    _ => {
                        let name: &str = LastName(ZH_CN).fake_with_rng(self.rng);
                        format!("{name}{suffix}")
                    }
                }
            }
            _ => address::CityName().fake_with_rng(self.rng),
        }
    }

    pub(super) fn company(&mut self) -> String {
        use company_in::{CompanyName, CompanySuffix};
        use name_in::LastName;
        match source(self.opts.locale, Field::Company) {
            Loc::It => CompanyName(IT_IT).fake_with_rng(self.rng),
            Loc::ZhCn => CompanyName(ZH_CN).fake_with_rng(self.rng),
            Loc::Ja => {
                // `佐藤株式会社`, `(株)佐藤`: no space, unlike `fake`'s template.
                let name: &str = LastName(JA_JP).fake_with_rng(self.rng);
                let suffix: &str = CompanySuffix(JA_JP).fake_with_rng(self.rng);
                if self.index(2) == 0 {
                    format!("{name}{suffix}")
                } else {
                    format!("{suffix}{name}")
                }
            }
            // `fake`'s German and Brazilian suffixes with its English template's `and`
            // replaced by `&`.
            loc @ (Loc::De | Loc::PtBr) => with_data!(loc, |l| {
                let name: &str = LastName(l).fake_with_rng(self.rng);
                let suffix: &str = CompanySuffix(l).fake_with_rng(self.rng);
                if self.index(2) == 0 {
                    format!("{name} {suffix}")
                } else {
                    let other: &str = LastName(l).fake_with_rng(self.rng);
                    format!("{name} & {other} {suffix}")
                }
            }),
            _ => company::CompanyName().fake_with_rng(self.rng),
        }
    }

    pub(super) fn job_title(&mut self) -> String {
        use job_in::{Field as JobField, Position, Seniority};
        match source(self.opts.locale, Field::Job) {
            Loc::Ja => job_in::Title(JA_JP).fake_with_rng(self.rng),
            Loc::It => job_in::Title(IT_IT).fake_with_rng(self.rng),
            Loc::ZhCn => {
                // `fake`'s template spaces the words; Chinese runs them together.
                let seniority: &str = Seniority(ZH_CN).fake_with_rng(self.rng);
                let field: &str = JobField(ZH_CN).fake_with_rng(self.rng);
                let position: &str = Position(ZH_CN).fake_with_rng(self.rng);
                format!("{seniority}{field}{position}")
            }
            _ => job::Title().fake_with_rng(self.rng),
        }
    }

    /// Chinese prose of `lo..=hi` characters from `fake`'s zh_CN words, aiming for a third of
    /// `nlo..=nhi` (a Chinese character says about as much as a few Latin letters).
    pub(super) fn zh_text(
        &mut self,
        lo: usize,
        hi: Option<usize>,
        nlo: usize,
        nhi: usize,
        style: TextStyle,
    ) -> String {
        use fake::faker::lorem::raw::Word;
        let hi = hi.unwrap_or(usize::MAX).max(lo);
        if hi == 0 {
            return String::new();
        }
        let (nlo, nhi) = ((nlo / 3).max(2), (nhi / 3).max(2));
        let target = {
            let (a, b) = (lo.max(nlo), hi.min(nhi));
            if a <= b {
                self.between(a as i64, b as i64) as usize
            } else if hi < nlo {
                self.between(lo as i64, hi as i64) as usize
            } else {
                lo
            }
        };
        let mut out = String::with_capacity(target.saturating_mul(3).min(1 << 16) + 8);
        let mut chars = 0;
        let mut words_in_sentence = 0;
        let mut sentence_len = self.between(3, 7);
        while chars < target || chars < lo {
            let w: &str = Word(ZH_CN).fake_with_rng(self.rng);
            // fake's Chinese word list mixes in political slogans; mock data stays neutral.
            if ZH_SLOGANS.contains(&w) {
                continue;
            }
            out.push_str(w);
            chars += w.chars().count();
            if style == TextStyle::OneWord && chars >= lo {
                break;
            }
            if style == TextStyle::Sentences {
                words_in_sentence += 1;
                if words_in_sentence >= sentence_len && chars < target {
                    out.push('。');
                    chars += 1;
                    words_in_sentence = 0;
                    sentence_len = self.between(3, 7);
                }
            }
        }
        if style == TextStyle::Sentences && !out.ends_with('。') && chars < hi {
            out.push('。');
            chars += 1;
        }
        if chars > hi {
            if let Some((cut, _)) = out.char_indices().nth(hi) {
                out.truncate(cut);
            }
        }
        out
    }

    /// An English word (a static string, no allocation); see [`super::prose`].
    pub(super) fn word(&mut self) -> &'static str {
        self.english_word()
    }

    /// Uniform in `lo..=hi`; written out rather than `random_range`, which panics when
    /// `hi - lo` overflows (`-1e308..1e308`).
    pub(super) fn rng_f64(&mut self, lo: f64, hi: f64) -> f64 {
        use rand::RngExt;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return lo;
        }
        let u: f64 = self.rng.random();
        let x = lo * (1.0 - u) + hi * u;
        x.clamp(lo, hi)
    }

    pub(super) fn url(&mut self) -> String {
        let host = self.domain();
        match self.index(3) {
            0 => format!("https://{host}"),
            1 => format!("https://{host}/{}", self.word()),
            _ => format!("https://{host}/{}/{}", self.word(), self.between(1, 9999)),
        }
    }

    pub(super) fn image_url(&mut self) -> String {
        let n = self.between(1, 1000);
        let size = [64, 128, 200, 256, 400, 640][self.index(6)];
        format!("https://picsum.photos/seed/{n}/{size}/{size}")
    }

    pub(super) fn domain(&mut self) -> String {
        let tld = TLDS[self.index(TLDS.len())];
        match self.index(3) {
            0 => format!("{}.{tld}", self.word()),
            1 => format!("www.{}-{}.{tld}", self.word(), self.word()),
            _ => format!("api.{}.{tld}", self.word()),
        }
    }

    pub(super) fn ipv4(&mut self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.between(1, 223),
            self.between(0, 255),
            self.between(0, 255),
            self.between(1, 254)
        )
    }

    pub(super) fn ipv6(&mut self) -> String {
        let groups: Vec<String> = (0..8)
            .map(|i| {
                if i == 0 {
                    "2001".to_string()
                } else {
                    format!("{:x}", self.between(0, 0xffff))
                }
            })
            .collect();
        groups.join(":")
    }

    pub(super) fn uuid(&mut self) -> String {
        use rand::RngExt;
        let mut b: [u8; 16] = self.rng.random();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(36);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 15)] as char);
        }
        out
    }

    /// An IBAN with a valid check number, in one of a few countries' lengths.
    pub(super) fn iban(&mut self) -> String {
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
        const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let (country, letters, digits) = FORMATS[self.index(FORMATS.len())];
        let mut bban: String = (0..letters)
            .map(|_| char::from(LETTERS[self.index(LETTERS.len())]))
            .collect();
        bban.extend((0..digits).map(|_| char::from(b'0' + self.index(10) as u8)));
        let check = 98 - iban_mod97(bban.chars().chain(country.chars()).chain("00".chars()));
        format!("{country}{check:02}{bban}")
    }

    /// A password-like string of letters, digits and symbols with at least one of each class
    /// where the length allows.
    pub(super) fn password(&mut self, lo: usize, hi: Option<usize>) -> String {
        const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
        const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
        const DIGIT: &[u8] = b"23456789";
        const SYMBOL: &[u8] = b"!@#$%^&*-_";
        let hi = hi.unwrap_or(lo.max(16)).max(lo);
        let len = self.between(lo as i64, hi.min(lo.max(16)) as i64) as usize;
        let mut out = String::with_capacity(len);
        for i in 0..len {
            let class = match i % 4 {
                0 => UPPER,
                1 => LOWER,
                2 => DIGIT,
                _ if i % 8 == 3 => SYMBOL,
                _ => LOWER,
            };
            out.push(class[self.index(class.len())] as char);
        }
        out
    }
}

/// The IBAN checksum of characters (digits, letters as 10–35) modulo 97; a valid IBAN, its
/// first four characters moved to the end, gives 1.
pub(crate) fn iban_mod97(chars: impl Iterator<Item = char>) -> u32 {
    chars.fold(0, |rem, c| match c.to_digit(36) {
        Some(v) if v < 10 => (rem * 10 + v) % 97,
        Some(v) => (rem * 100 + v) % 97,
        None => rem,
    })
}

/// Natural numeric range and decimals for numeric kinds.
pub(crate) fn number_window(kind: Kind) -> Option<(f64, f64, u32)> {
    use Kind::*;
    Some(match kind {
        Money => (1.0, 500.0, 2),
        Percent => (0.0, 100.0, 1),
        Latitude => (-90.0, 90.0, 6),
        Longitude => (-180.0, 180.0, 6),
        Count => (0.0, 20.0, 0),
        Age => (18.0, 80.0, 0),
        Year => (1990.0, 2025.0, 0),
        Rating => (1.0, 5.0, 1),
        Port => (1024.0, 65535.0, 0),
        _ => return Option::None,
    })
}

/// Words of fake's Chinese lorem list that are political slogans rather than neutral filler.
const ZH_SLOGANS: &[&str] = &[
    "社会主义核心价值观",
    "中华民族伟大复兴",
    "人类命运共同体",
    "一带一路",
    "改革开放",
    "计划经济",
    "宏观调控",
    "全面建成",
    "全面深化改革",
    "全面依法治国",
    "全面从严治党",
    "新时代",
    "新征程",
    "新思想",
    "新目标",
    "新要求",
    "新举措",
    "新气象",
    "新作为",
    "生态文明",
    "共享发展",
    "协调发展",
    "绿色发展",
    "开放发展",
    "创新发展",
];

/// fake's `PhoneNumber` for locale `L`, drawing the same numbers from `rng` and so writing the
/// same string: a format from the locale's list, each `^` a digit 1-9 and each `#` a digit
/// 0-9. Written here because fake's version decodes and collects the format a character at a
/// time into a growing string, a thousand instructions per number.
fn phone_number<L: fake::locales::Data>(_: L, rng: &mut rand_chacha::ChaCha8Rng) -> String {
    use rand::seq::IndexedRandom;
    use rand::RngExt;
    let Some(format) = L::PHONE_NUMBER_FORMATS.choose(rng) else {
        return String::new();
    };
    let mut out = String::with_capacity(format.len());
    for c in format.chars() {
        let digit = match c {
            '^' => rng.random_range(1..10u32),
            '#' => rng.random_range(0..10u32),
            other => {
                out.push(other);
                continue;
            }
        };
        out.push(char::from(b'0' + digit as u8));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_fakes_own() {
        use fake::faker::phone_number::raw::PhoneNumber;
        use rand::SeedableRng;
        fn same<L: fake::locales::Data + Copy>(l: L)
        where
            String: fake::Dummy<PhoneNumber<L>>,
        {
            for seed in 0..200 {
                let mut ours = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                let mut theirs = ours.clone();
                let a = phone_number(l, &mut ours);
                let b: String = PhoneNumber(l).fake_with_rng(&mut theirs);
                assert_eq!(a, b, "seed {seed}");
                // The stream goes on from the same place.
                assert_eq!(
                    rand::Rng::next_u64(&mut ours),
                    rand::Rng::next_u64(&mut theirs)
                );
            }
        }
        same(fake::locales::EN);
        same(DE_DE);
        same(FR_FR);
        same(IT_IT);
        same(JA_JP);
        same(PT_BR);
        same(ZH_CN);
    }

    #[test]
    fn classifies_common_names() {
        assert_eq!(classify("firstName"), Kind::FirstName);
        assert_eq!(classify("first_name"), Kind::FirstName);
        assert_eq!(classify("LastName"), Kind::LastName);
        assert_eq!(classify("email"), Kind::Email);
        assert_eq!(classify("contactEmail"), Kind::Email);
        assert_eq!(classify("createdAt"), Kind::Created);
        assert_eq!(classify("created_at"), Kind::Created);
        assert_eq!(classify("updatedAt"), Kind::Updated);
        assert_eq!(classify("published_at"), Kind::Timestamp);
        assert_eq!(classify("format"), Kind::None);
        assert_eq!(classify("userId"), Kind::Id);
        assert_eq!(classify("paid"), Kind::None);
        assert_eq!(classify("photoUrl"), Kind::Image);
        assert_eq!(classify("order_total"), Kind::Money);
        assert_eq!(classify("isActive"), Kind::Boolean);
        assert_eq!(classify("island"), Kind::None);
        assert_eq!(classify_item("photoUrls"), Kind::Image);
        assert_eq!(classify_item("addresses"), Kind::Street);
        assert_eq!(classify_item("tags"), Kind::Tag);
    }

    #[test]
    fn x_faker_paths() {
        assert_eq!(
            kind_of_path(&Value::from("internet.email")),
            Some(Kind::Email)
        );
        assert_eq!(
            kind_of_path(&Value::from("name.firstName")),
            Some(Kind::FirstName)
        );
        assert_eq!(
            kind_of_path(&serde_json::json!({"datatype.uuid": {}})),
            Some(Kind::Uuid)
        );
        assert_eq!(kind_of_path(&Value::from("nope.nothing")), None);
    }
}
