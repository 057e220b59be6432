//! Which of `fake`'s locale tables serve which kind of value, the ASCII forms of names for
//! emails and usernames, and the places addresses are in ([`COUNTRIES`]: towns with their
//! regions and postal code shapes, so an object's city, state, postal code and country agree).
//!
//! `fake` 5 localizes unevenly: German has no phone formats, Japanese no addresses, Spanish
//! nothing at all. [`source`] says per locale and [`Field`] whether the locale's own tables are
//! used or English; the tables themselves are `fake`'s statics, never copied.

use super::Locale;

/// A kind of value whose data may be localized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    /// First and last names (and with them full names, emails and usernames).
    Name,
    Phone,
    Street,
    City,
    Company,
    Job,
    /// Sentences and titles (`description`, `title`, ...); without localized prose they are
    /// English (see `super::prose`).
    Prose,
}

/// Whether `fake` 5 has real data of `field` for `locale` (rather than inheriting English).
pub(crate) const fn localized(locale: Locale, field: Field) -> bool {
    use Field::*;
    match locale {
        Locale::En | Locale::Es => false,
        Locale::De => matches!(field, Name | Street | City | Company),
        Locale::Fr => matches!(field, Name | Phone | Street | City),
        Locale::It => matches!(field, Name | Phone | Street | City | Company | Job),
        Locale::Ja => matches!(field, Name | Phone | Company | Job),
        Locale::PtBr => matches!(field, Name | Phone | Street | Company),
        Locale::ZhCn => matches!(field, Name | Street | City | Company | Job | Prose),
    }
}

/// The locale whose tables serve `field`: `locale` where `fake` localizes it, else English.
#[inline]
pub(crate) const fn source(locale: Locale, field: Field) -> Locale {
    if localized(locale, field) {
        locale
    } else {
        Locale::En
    }
}

/// Runs `$body` with `$l` bound to `fake`'s locale value for `$loc` (one monomorphized arm per
/// locale; the match is the only run-time cost).
macro_rules! with_data {
    ($loc:expr, |$l:ident| $body:expr) => {
        match $loc {
            $crate::generate::Locale::De => {
                let $l = fake::locales::DE_DE;
                $body
            }
            $crate::generate::Locale::Fr => {
                let $l = fake::locales::FR_FR;
                $body
            }
            $crate::generate::Locale::It => {
                let $l = fake::locales::IT_IT;
                $body
            }
            $crate::generate::Locale::Ja => {
                let $l = fake::locales::JA_JP;
                $body
            }
            $crate::generate::Locale::PtBr => {
                let $l = fake::locales::PT_BR;
                $body
            }
            $crate::generate::Locale::ZhCn => {
                let $l = fake::locales::ZH_CN;
                $body
            }
            $crate::generate::Locale::En | $crate::generate::Locale::Es => {
                let $l = fake::locales::EN;
                $body
            }
        }
    };
}
pub(crate) use with_data;

/// Lowercase ASCII letters and digits of a Latin-script name, accents folded (`Jürgen` →
/// `juergen`, `Hélène` → `helene`, `Lærke` → `laerke`); other characters are dropped, so
/// names in other scripts give an empty string.
pub(crate) fn latin_slug(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        // Most names: nothing to drop or fold.
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        if c.is_ascii() {
            continue;
        }
        for lc in c.to_lowercase() {
            out.push_str(fold(lc));
        }
    }
    out
}

/// ASCII for a lowercase Latin letter with diacritics; `""` for anything else (combining
/// marks, other scripts, punctuation).
fn fold(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ä' | 'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ĝ' | 'ġ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' | 'ő' => "o",
        'ö' | 'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ü' => "ue",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => "",
    }
}

/// The romanization of a Japanese (Hepburn, no macrons) or Chinese (pinyin, no tones) family
/// name from `fake`'s tables, for emails and usernames.
pub(crate) fn romanized_family_name(locale: Locale, name: &str) -> Option<&'static str> {
    match locale {
        Locale::Ja => japanese_family_name(name),
        Locale::ZhCn => chinese_family_name(name),
        _ => None,
    }
}

/// Hepburn for `fake`'s ja_JP surnames.
fn japanese_family_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "佐藤" => "sato",
        "鈴木" => "suzuki",
        "高橋" => "takahashi",
        "田中" => "tanaka",
        "伊藤" => "ito",
        "山本" => "yamamoto",
        "渡辺" | "渡部" => "watanabe",
        "中村" => "nakamura",
        "小林" => "kobayashi",
        "加藤" => "kato",
        "吉田" => "yoshida",
        "山田" => "yamada",
        "佐々木" => "sasaki",
        "山口" => "yamaguchi",
        "松本" => "matsumoto",
        "井上" => "inoue",
        "木村" => "kimura",
        "林" => "hayashi",
        "斎藤" | "斉藤" => "saito",
        "清水" => "shimizu",
        "山崎" => "yamazaki",
        "阿部" => "abe",
        "森" => "mori",
        "池田" => "ikeda",
        "橋本" => "hashimoto",
        "山下" => "yamashita",
        "石川" => "ishikawa",
        "中島" => "nakajima",
        "前田" => "maeda",
        "藤田" => "fujita",
        "後藤" => "goto",
        "小川" => "ogawa",
        "岡田" => "okada",
        "村上" => "murakami",
        "長谷川" => "hasegawa",
        "近藤" => "kondo",
        "石井" => "ishii",
        "坂本" => "sakamoto",
        "遠藤" => "endo",
        "藤井" => "fujii",
        "青木" => "aoki",
        "福田" => "fukuda",
        "三浦" => "miura",
        "西村" => "nishimura",
        "藤原" => "fujiwara",
        "太田" => "ota",
        "松田" => "matsuda",
        "原田" => "harada",
        "岡本" => "okamoto",
        "中野" => "nakano",
        "中川" => "nakagawa",
        "小野" | "大野" => "ono",
        "田村" => "tamura",
        "竹内" => "takeuchi",
        "金子" => "kaneko",
        "中山" => "nakayama",
        "和田" => "wada",
        "石田" => "ishida",
        "工藤" => "kudo",
        "上田" => "ueda",
        "原" => "hara",
        "森田" => "morita",
        "酒井" => "sakai",
        "横山" => "yokoyama",
        "柴田" => "shibata",
        "宮崎" => "miyazaki",
        "宮本" => "miyamoto",
        "内田" => "uchida",
        "高木" => "takagi",
        "谷口" => "taniguchi",
        "安藤" => "ando",
        "丸山" => "maruyama",
        "今井" => "imai",
        "高田" => "takada",
        "菅原" => "sugawara",
        "河野" => "kono",
        "武田" => "takeda",
        "藤本" => "fujimoto",
        "上野" => "ueno",
        "杉山" => "sugiyama",
        "千葉" => "chiba",
        "村田" => "murata",
        "増田" => "masuda",
        "小島" => "kojima",
        "小山" => "koyama",
        "大塚" => "otsuka",
        "平野" => "hirano",
        "久保" => "kubo",
        "松井" => "matsui",
        "菊地" => "kikuchi",
        "岩崎" => "iwasaki",
        "松尾" => "matsuo",
        "佐野" => "sano",
        "木下" => "kinoshita",
        "野口" => "noguchi",
        "野村" => "nomura",
        "新井" => "arai",
        _ => return None,
    })
}

/// Pinyin for `fake`'s zh_CN surnames.
fn chinese_family_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "王" | "汪" => "wang",
        "李" | "黎" => "li",
        "张" => "zhang",
        "刘" => "liu",
        "陈" => "chen",
        "杨" => "yang",
        "黄" => "huang",
        "赵" => "zhao",
        "吴" | "武" => "wu",
        "周" => "zhou",
        "徐" | "许" => "xu",
        "孙" => "sun",
        "马" => "ma",
        "朱" => "zhu",
        "胡" => "hu",
        "郭" => "guo",
        "何" | "贺" => "he",
        "高" => "gao",
        "林" => "lin",
        "郑" => "zheng",
        "谢" => "xie",
        "罗" => "luo",
        "梁" => "liang",
        "宋" => "song",
        "唐" | "汤" => "tang",
        "韩" => "han",
        "冯" => "feng",
        "邓" => "deng",
        "曹" => "cao",
        "彭" => "peng",
        "曾" => "zeng",
        "萧" => "xiao",
        "田" => "tian",
        "董" => "dong",
        "袁" => "yuan",
        "潘" => "pan",
        "于" | "余" => "yu",
        "蒋" | "姜" | "江" => "jiang",
        "蔡" => "cai",
        "杜" => "du",
        "叶" => "ye",
        "程" => "cheng",
        "苏" => "su",
        "魏" | "韦" => "wei",
        "吕" => "lyu",
        "丁" => "ding",
        "任" => "ren",
        "沈" => "shen",
        "姚" => "yao",
        "卢" | "陆" => "lu",
        "崔" => "cui",
        "钟" => "zhong",
        "谭" => "tan",
        "范" => "fan",
        "金" => "jin",
        "石" | "史" => "shi",
        "廖" => "liao",
        "贾" => "jia",
        "夏" => "xia",
        "付" => "fu",
        "方" => "fang",
        "白" => "bai",
        "邹" => "zou",
        "孟" => "meng",
        "熊" => "xiong",
        "秦" | "覃" => "qin",
        "邱" => "qiu",
        "尹" => "yin",
        "薛" => "xue",
        "闫" | "严" => "yan",
        "段" => "duan",
        "雷" => "lei",
        "侯" => "hou",
        "龙" => "long",
        "陶" => "tao",
        "顾" => "gu",
        "毛" => "mao",
        "郝" => "hao",
        "龚" => "gong",
        "邵" => "shao",
        "万" => "wan",
        "钱" => "qian",
        "戴" => "dai",
        "莫" => "mo",
        "孔" => "kong",
        "向" => "xiang",
        "欧阳" => "ouyang",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fake::locales::{Data, JA_JP, ZH_CN};

    #[test]
    fn every_japanese_and_chinese_family_name_is_romanized() {
        let ja = JA_JP::NAME_LAST_NAME.iter().map(|n| (Locale::Ja, n));
        let zh = ZH_CN::NAME_LAST_NAME.iter().map(|n| (Locale::ZhCn, n));
        for (locale, name) in ja.chain(zh) {
            let r = romanized_family_name(locale, name);
            assert!(
                r.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase())),
                "{name}: {r:?}"
            );
        }
    }

    #[test]
    fn latin_names_fold_to_ascii() {
        assert_eq!(latin_slug("Jürgen"), "juergen");
        assert_eq!(latin_slug("Müller-Schwarzenberg"), "muellerschwarzenberg");
        assert_eq!(latin_slug("Hélène"), "helene");
        assert_eq!(latin_slug("O'Keefe"), "okeefe");
        assert_eq!(latin_slug("Özm\u{302}en"), "oezmen");
        assert_eq!(latin_slug("Groß"), "gross");
        assert_eq!(latin_slug("João"), "joao");
        assert_eq!(latin_slug("佐藤"), "");
    }

    #[test]
    fn english_and_spanish_use_english_tables() {
        for field in [Field::Name, Field::Phone, Field::City, Field::Prose] {
            assert_eq!(source(Locale::En, field), Locale::En);
            assert_eq!(source(Locale::Es, field), Locale::En);
        }
        assert_eq!(source(Locale::De, Field::Phone), Locale::En);
        assert_eq!(source(Locale::De, Field::City), Locale::De);
        assert_eq!(source(Locale::Ja, Field::City), Locale::En);
        assert_eq!(source(Locale::ZhCn, Field::Prose), Locale::ZhCn);
    }
}

/// A town: its name, its state/region/province (name and code) and the shape of its postal
/// codes (`#` a digit, `?` an uppercase letter).
#[derive(Debug)]
pub(crate) struct Town {
    pub city: &'static str,
    pub region: &'static str,
    pub region_code: &'static str,
    pub postcode: &'static str,
}

/// A country: ISO code, English and own names, and some of its towns (in its own script too
/// where that differs, in the same order).
#[derive(Debug)]
pub(crate) struct Country {
    pub code: &'static str,
    pub name: &'static str,
    pub native: &'static str,
    pub towns: &'static [Town],
    pub native_towns: &'static [Town],
}

const fn t(
    city: &'static str,
    region: &'static str,
    region_code: &'static str,
    postcode: &'static str,
) -> Town {
    Town {
        city,
        region,
        region_code,
        postcode,
    }
}

/// Countries whose towns, regions and postal codes are known; one place drawn from here makes
/// an object's `city`, `state`, `postal_code` and `country` agree.
#[rustfmt::skip]
pub(crate) const COUNTRIES: &[Country] = &[
    Country { code: "US", name: "United States", native: "United States", native_towns: &[], towns: &[
        t("San Francisco", "California", "CA", "941##"), t("Los Angeles", "California", "CA", "900##"),
        t("San Diego", "California", "CA", "921##"), t("Austin", "Texas", "TX", "787##"),
        t("Houston", "Texas", "TX", "770##"), t("Seattle", "Washington", "WA", "981##"),
        t("Portland", "Oregon", "OR", "972##"), t("Denver", "Colorado", "CO", "802##"),
        t("Chicago", "Illinois", "IL", "606##"), t("Boston", "Massachusetts", "MA", "021##"),
        t("New York", "New York", "NY", "100##"), t("Brooklyn", "New York", "NY", "112##"),
        t("Miami", "Florida", "FL", "331##"), t("Orlando", "Florida", "FL", "328##"),
        t("Atlanta", "Georgia", "GA", "303##"), t("Phoenix", "Arizona", "AZ", "850##"),
        t("Minneapolis", "Minnesota", "MN", "554##"), t("Nashville", "Tennessee", "TN", "372##"),
        t("Columbus", "Ohio", "OH", "432##"), t("Philadelphia", "Pennsylvania", "PA", "191##"),
        t("Las Vegas", "Nevada", "NV", "891##"), t("Salt Lake City", "Utah", "UT", "841##"),
        t("Raleigh", "North Carolina", "NC", "276##"), t("Madison", "Wisconsin", "WI", "537##"),
    ]},
    Country { code: "CA", name: "Canada", native: "Canada", native_towns: &[], towns: &[
        t("Toronto", "Ontario", "ON", "M5V #?#"), t("Ottawa", "Ontario", "ON", "K1P #?#"),
        t("Vancouver", "British Columbia", "BC", "V6B #?#"), t("Montreal", "Quebec", "QC", "H2X #?#"),
        t("Calgary", "Alberta", "AB", "T2P #?#"), t("Halifax", "Nova Scotia", "NS", "B3H #?#"),
    ]},
    Country { code: "GB", name: "United Kingdom", native: "United Kingdom", native_towns: &[], towns: &[
        t("London", "England", "ENG", "SW1A #??"), t("Manchester", "England", "ENG", "M1 #??"),
        t("Bristol", "England", "ENG", "BS1 #??"), t("Leeds", "England", "ENG", "LS1 #??"),
        t("Edinburgh", "Scotland", "SCT", "EH1 #??"), t("Cardiff", "Wales", "WLS", "CF10 #??"),
    ]},
    Country { code: "DE", name: "Germany", native: "Deutschland", native_towns: &[], towns: &[
        t("Berlin", "Berlin", "BE", "10###"), t("München", "Bayern", "BY", "80###"),
        t("Hamburg", "Hamburg", "HH", "20###"), t("Köln", "Nordrhein-Westfalen", "NW", "50###"),
        t("Düsseldorf", "Nordrhein-Westfalen", "NW", "40###"), t("Frankfurt am Main", "Hessen", "HE", "60###"),
        t("Stuttgart", "Baden-Württemberg", "BW", "70###"), t("Leipzig", "Sachsen", "SN", "04###"),
        t("Dresden", "Sachsen", "SN", "01###"), t("Hannover", "Niedersachsen", "NI", "30###"),
    ]},
    Country { code: "FR", name: "France", native: "France", native_towns: &[], towns: &[
        t("Paris", "Île-de-France", "IDF", "750##"), t("Lyon", "Auvergne-Rhône-Alpes", "ARA", "6900#"),
        t("Marseille", "Provence-Alpes-Côte d'Azur", "PAC", "130##"), t("Toulouse", "Occitanie", "OCC", "310##"),
        t("Bordeaux", "Nouvelle-Aquitaine", "NAQ", "330##"), t("Lille", "Hauts-de-France", "HDF", "590##"),
        t("Nantes", "Pays de la Loire", "PDL", "440##"), t("Strasbourg", "Grand Est", "GES", "670##"),
    ]},
    Country { code: "IT", name: "Italy", native: "Italia", native_towns: &[], towns: &[
        t("Roma", "Lazio", "RM", "001##"), t("Milano", "Lombardia", "MI", "201##"),
        t("Napoli", "Campania", "NA", "801##"), t("Torino", "Piemonte", "TO", "101##"),
        t("Firenze", "Toscana", "FI", "501##"), t("Bologna", "Emilia-Romagna", "BO", "401##"),
        t("Venezia", "Veneto", "VE", "301##"), t("Palermo", "Sicilia", "PA", "901##"),
    ]},
    Country { code: "BR", name: "Brazil", native: "Brasil", native_towns: &[], towns: &[
        t("São Paulo", "São Paulo", "SP", "01###-###"), t("Rio de Janeiro", "Rio de Janeiro", "RJ", "20###-###"),
        t("Belo Horizonte", "Minas Gerais", "MG", "30###-###"), t("Curitiba", "Paraná", "PR", "80###-###"),
        t("Porto Alegre", "Rio Grande do Sul", "RS", "90###-###"), t("Salvador", "Bahia", "BA", "40###-###"),
        t("Recife", "Pernambuco", "PE", "50###-###"), t("Brasília", "Distrito Federal", "DF", "70###-###"),
    ]},
    Country { code: "JP", name: "Japan", native: "日本", towns: &[
        t("Shibuya", "Tokyo", "13", "150-####"), t("Shinjuku", "Tokyo", "13", "160-####"),
        t("Osaka", "Osaka", "27", "530-####"), t("Yokohama", "Kanagawa", "14", "220-####"),
        t("Nagoya", "Aichi", "23", "450-####"), t("Sapporo", "Hokkaido", "01", "060-####"),
        t("Fukuoka", "Fukuoka", "40", "810-####"), t("Kyoto", "Kyoto", "26", "600-####"),
    ], native_towns: &[
        t("渋谷区", "東京都", "13", "150-####"), t("新宿区", "東京都", "13", "160-####"),
        t("大阪市", "大阪府", "27", "530-####"), t("横浜市", "神奈川県", "14", "220-####"),
        t("名古屋市", "愛知県", "23", "450-####"), t("札幌市", "北海道", "01", "060-####"),
        t("福岡市", "福岡県", "40", "810-####"), t("京都市", "京都府", "26", "600-####"),
    ]},
    Country { code: "CN", name: "China", native: "中国", towns: &[
        t("Beijing", "Beijing", "BJ", "100###"), t("Shanghai", "Shanghai", "SH", "200###"),
        t("Guangzhou", "Guangdong", "GD", "510###"), t("Shenzhen", "Guangdong", "GD", "518###"),
        t("Hangzhou", "Zhejiang", "ZJ", "310###"), t("Chengdu", "Sichuan", "SC", "610###"),
        t("Nanjing", "Jiangsu", "JS", "210###"), t("Wuhan", "Hubei", "HB", "430###"),
    ], native_towns: &[
        t("北京市", "北京市", "BJ", "100###"), t("上海市", "上海市", "SH", "200###"),
        t("广州市", "广东省", "GD", "510###"), t("深圳市", "广东省", "GD", "518###"),
        t("杭州市", "浙江省", "ZJ", "310###"), t("成都市", "四川省", "SC", "610###"),
        t("南京市", "江苏省", "JS", "210###"), t("武汉市", "湖北省", "HB", "430###"),
    ]},
    Country { code: "AU", name: "Australia", native: "Australia", native_towns: &[], towns: &[
        t("Sydney", "New South Wales", "NSW", "20##"), t("Melbourne", "Victoria", "VIC", "30##"),
        t("Brisbane", "Queensland", "QLD", "40##"), t("Perth", "Western Australia", "WA", "60##"),
        t("Adelaide", "South Australia", "SA", "50##"),
    ]},
    Country { code: "ES", name: "Spain", native: "España", native_towns: &[], towns: &[
        t("Madrid", "Comunidad de Madrid", "MD", "280##"), t("Barcelona", "Cataluña", "CT", "080##"),
        t("Valencia", "Comunidad Valenciana", "VC", "460##"), t("Sevilla", "Andalucía", "AN", "410##"),
        t("Bilbao", "País Vasco", "PV", "480##"),
    ]},
    Country { code: "NL", name: "Netherlands", native: "Nederland", native_towns: &[], towns: &[
        t("Amsterdam", "Noord-Holland", "NH", "10## ??"), t("Rotterdam", "Zuid-Holland", "ZH", "30## ??"),
        t("Utrecht", "Utrecht", "UT", "35## ??"),
    ]},
    Country { code: "IN", name: "India", native: "India", native_towns: &[], towns: &[
        t("Mumbai", "Maharashtra", "MH", "4000##"), t("Bengaluru", "Karnataka", "KA", "5600##"),
        t("New Delhi", "Delhi", "DL", "1100##"), t("Chennai", "Tamil Nadu", "TN", "6000##"),
    ]},
    Country { code: "MX", name: "Mexico", native: "México", native_towns: &[], towns: &[
        t("Ciudad de México", "Ciudad de México", "CMX", "06###"), t("Guadalajara", "Jalisco", "JAL", "44###"),
        t("Monterrey", "Nuevo León", "NLE", "64###"),
    ]},
];

/// The country a locale's addresses are in by default.
pub(crate) const fn home_country(locale: Locale) -> &'static str {
    match locale {
        Locale::En | Locale::Es => "US",
        Locale::De => "DE",
        Locale::Fr => "FR",
        Locale::It => "IT",
        Locale::PtBr => "BR",
        Locale::Ja => "JP",
        Locale::ZhCn => "CN",
    }
}

/// The known country a code (`"ca"`) or name (`"Canada"`, `"Deutschland"`) stands for.
pub(crate) fn country(code_or_name: &str) -> Option<&'static Country> {
    let s = code_or_name.trim();
    COUNTRIES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(s) || c.name.eq_ignore_ascii_case(s) || c.native == s)
}

/// The place an object's address fields describe, drawn once per object.
#[derive(Clone, Debug)]
pub(crate) struct Place {
    /// The country, when it is one of [`COUNTRIES`].
    pub country: Option<&'static Country>,
    /// The country as the object gave it, for countries not in [`COUNTRIES`].
    pub given: Option<String>,
    pub town: Option<&'static Town>,
    pub postcode: Option<String>,
}

impl Place {
    /// The place's country code (`None` for an unknown country given by name).
    pub fn code(&self) -> Option<&str> {
        match (self.country, &self.given) {
            (Some(c), _) => Some(c.code),
            (None, Some(g)) if g.len() == 2 && g.is_ascii() => Some(g),
            _ => None,
        }
    }

    /// Whether `value` (a code or a name) names this place's country.
    pub fn is_in(&self, value: &str) -> bool {
        match (self.country, &self.given) {
            (Some(c), _) => country(value).is_some_and(|v| std::ptr::eq(v, c)),
            (None, Some(g)) => g.eq_ignore_ascii_case(value.trim()),
            _ => false,
        }
    }
}

impl super::Gen<'_, '_> {
    /// The place of the innermost object, drawn on first use in the locale's country.
    pub(super) fn place(&mut self) -> Place {
        if let Some(p) = self.objs.last().and_then(|o| o.place.as_ref()) {
            return p.clone();
        }
        let home = country(home_country(self.opts.locale));
        let place = self.place_in(home, None);
        if let Some(o) = self.objs.last_mut() {
            o.place = Some(place.clone());
        }
        place
    }

    fn place_in(&mut self, country: Option<&'static Country>, given: Option<String>) -> Place {
        let town = country.map(|c| {
            let towns = match (self.opts.locale, c.code) {
                (Locale::Ja, "JP") | (Locale::ZhCn, "CN") => c.native_towns,
                _ => c.towns,
            };
            &towns[self.index(towns.len())]
        });
        Place {
            country,
            given,
            town,
            postcode: None,
        }
    }

    /// The object's country is `value` (an example, `enum` member or hint gave it): its other
    /// address fields follow that country from now on.
    pub(super) fn settle_country(&mut self, value: &serde_json::Value) {
        let Some(s) = value.as_str().filter(|s| !s.trim().is_empty()) else {
            return;
        };
        if self
            .objs
            .last()
            .and_then(|o| o.place.as_ref())
            .is_some_and(|p| p.is_in(s))
        {
            return;
        }
        let known = country(s);
        let given = known.is_none().then(|| s.trim().to_string());
        let place = self.place_in(known, given);
        if let Some(o) = self.objs.last_mut() {
            o.place = Some(place);
        }
    }

    /// The object's country: its code where `code` (or the bounds allow only two
    /// characters), else its name (its own name in the locale's home country).
    pub(super) fn place_country(&mut self, code: bool, hi: Option<usize>) -> Option<String> {
        let p = self.place();
        let home = home_country(self.opts.locale);
        let name = match (p.country, &p.given) {
            (Some(c), _) if c.code == home && self.opts.locale != Locale::En => c.native,
            (Some(c), _) => c.name,
            (None, Some(g)) => g.as_str(),
            _ => return None,
        };
        if code || hi.is_some_and(|h| h < name.chars().count()) {
            return p.code().map(str::to_string);
        }
        Some(name.to_string())
    }

    pub(super) fn place_city(&mut self) -> Option<String> {
        Some(self.place().town?.city.to_string())
    }

    /// The region, its code where the bounds are tight (`"CA"` for California).
    pub(super) fn place_region(&mut self, hi: Option<usize>) -> Option<String> {
        let town = self.place().town?;
        if hi.is_some_and(|h| h < town.region.chars().count()) {
            return Some(town.region_code.to_string());
        }
        Some(town.region.to_string())
    }

    /// The postal code, in the country's shape; the same for every postal-code field of the
    /// object. For a country without data: five digits.
    pub(super) fn place_postcode(&mut self) -> String {
        let p = self.place();
        if let Some(code) = p.postcode {
            return code;
        }
        let template = p.town.map_or("#####", |t| t.postcode);
        let mut out = String::with_capacity(template.len());
        for c in template.chars() {
            match c {
                '#' => out.push(char::from(b'0' + self.index(10) as u8)),
                '?' => out.push(char::from(b"ABCEGHJKLMNPRSTVWXYZ"[self.index(20)])),
                c => out.push(c),
            }
        }
        if let Some(place) = self.objs.last_mut().and_then(|o| o.place.as_mut()) {
            place.postcode = Some(out.clone());
        }
        out
    }
}
