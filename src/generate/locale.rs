//! Which of `fake`'s locale tables serve which kind of value, and the ASCII forms of names for
//! emails and usernames.
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
    /// States, provinces, regions.
    State,
    /// Postal codes.
    Zip,
    /// Country names (country codes are ISO codes everywhere).
    Country,
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
        Locale::De => matches!(
            field,
            Name | Street | City | State | Zip | Country | Company
        ),
        Locale::Fr => matches!(field, Name | Phone | Street | City | Zip | Country),
        Locale::It => matches!(
            field,
            Name | Phone | Street | City | State | Zip | Country | Company | Job
        ),
        Locale::Ja => matches!(field, Name | Phone | Company | Job),
        Locale::PtBr => matches!(field, Name | Phone | Street | State | Zip | Company),
        Locale::ZhCn => matches!(
            field,
            Name | Street | City | Zip | Country | Company | Job | Prose
        ),
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

/// `PROVINCE NAME` → `Province Name` (`fake`'s Italian provinces are upper case).
pub(crate) fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, ' ' | '-' | '\'' | '’');
    }
    out
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
    fn title_case_provinces() {
        assert_eq!(title_case("ASCOLI PICENO"), "Ascoli Piceno");
        assert_eq!(title_case("BARLETTA-ANDRIA-TRANI"), "Barletta-Andria-Trani");
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
