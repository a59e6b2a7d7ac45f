//! External inputs of the tier engine: the shop metrics CSV and the
//! complaints CSV, both strictly validated with `path:line: reason` errors.
//!
//! Both files are UTF-8 (a leading BOM, as Excel writes it, is accepted)
//! or, failing that, GB18030/GBK, which Excel on Chinese Windows writes by
//! default; a file valid in neither is refused at the first bad line. They are
//! comma-separated, with a header row. Header names are matched after
//! trimming and ASCII lower-casing; each column also has a Chinese alias.
//! An unknown or duplicated column, a missing required column, a row with
//! the wrong number of fields or any bad cell is an error; every error of
//! the file is reported, not just the first.
//!
//! # Shop metrics CSV
//!
//! | column | alias | required | content |
//! |---|---|---|---|
//! | `shop` | `店铺` | yes | shop (main account) nick |
//! | `platform` | `平台` | yes | `淘宝` / `天猫` (also `taobao` / `tmall`) |
//! | `industry` | `行业` | yes | industry name, matched against the policy's not-rated list |
//! | `scale_band` | `规模` | yes | scale band label; peers share industry and scale band |
//! | `month` | `月份` | yes | `YYYY-MM` (`YYYY/MM` accepted) |
//! | `score` | `新灯塔综合服务分` | yes | 新灯塔综合服务分, 0–5, at most 4 decimals |
//! | `reviews` | `评价量` | yes | valid reviews in the month, integer |
//! | `satisfaction` | `满意度` | yes | percent 0–100, optional trailing `%` |
//! | `flags` | `标记` | no | declared flags `D评`, `SD`, `data_fraud`, separated by `;`, `\|`, `、` or spaces |
//!
//! One row per (shop, month); a repeated pair is an error.
//!
//! # Complaints CSV
//!
//! | column | alias | required | content |
//! |---|---|---|---|
//! | `shop` | `店铺` | yes | shop nick |
//! | `agent` | `客服` | yes (may be empty) | agent account the complaint names |
//! | `date` | `日期` | yes | `YYYY-MM-DD` (`YYYY/MM/DD` accepted) |
//! | `type` | `类型` | yes | complaint type, e.g. `辱骂`, `恶意骚扰`, `欺诈`, `不履行承诺` |
//! | `upheld` | `是否成立` | yes | `true`/`false`, `yes`/`no`, `1`/`0`, `是`/`否`, `成立`/`不成立` |
//! | `evidence` | `举证号` | no | evidence reference (举证号); required to cancel when the policy says so |

use super::fixed::Fixed;
use super::policy::{closest, DeclaredFlag};
use super::{Located, TierError};
use serde::Serialize;
use std::path::Path;

/// The platform a shop sells on; the score gate differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// 淘宝 (C店).
    Taobao,
    /// 天猫.
    Tmall,
}

impl Platform {
    /// Chinese name used in outputs.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Taobao => "淘宝",
            Platform::Tmall => "天猫",
        }
    }

    /// Parse `淘宝`, `天猫`, `taobao`, `tmall` (ASCII case-insensitive).
    pub fn parse(text: &str) -> Option<Platform> {
        match text.trim().to_ascii_lowercase().as_str() {
            "淘宝" | "taobao" => Some(Platform::Taobao),
            "天猫" | "tmall" => Some(Platform::Tmall),
            _ => None,
        }
    }
}

/// One row of the shop metrics CSV.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopMetrics {
    /// Shop nick.
    pub shop: String,
    /// 淘宝 or 天猫.
    pub platform: Platform,
    /// Industry.
    pub industry: String,
    /// Scale band.
    pub scale_band: String,
    /// `YYYY-MM`.
    pub month: String,
    /// 新灯塔综合服务分.
    pub score: Fixed,
    /// Valid reviews in the month.
    pub reviews: u64,
    /// 满意度 in percent.
    pub satisfaction: Fixed,
    /// Declared dishonest-behaviour flags, sorted, without repeats.
    pub flags: Vec<DeclaredFlag>,
    /// `path:line` of the row.
    pub source: String,
}

/// One row of the complaints CSV.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Complaint {
    /// Shop nick.
    pub shop: String,
    /// Agent account named by the complaint (may be empty).
    pub agent: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Complaint type as written.
    pub complaint_type: String,
    /// Whether the platform upheld it.
    pub upheld: bool,
    /// Evidence reference (举证号); empty when none was given.
    pub evidence: String,
    /// `path:line` of the row.
    pub source: String,
}

impl Complaint {
    /// `YYYY-MM` of the complaint date.
    pub fn month(&self) -> &str {
        self.date.get(..7).unwrap_or(&self.date)
    }
}

/// A column: canonical name, Chinese alias, required.
struct Column(&'static str, &'static str, bool);

const SHOP_COLUMNS: [Column; 9] = [
    Column("shop", "店铺", true),
    Column("platform", "平台", true),
    Column("industry", "行业", true),
    Column("scale_band", "规模", true),
    Column("month", "月份", true),
    Column("score", "新灯塔综合服务分", true),
    Column("reviews", "评价量", true),
    Column("satisfaction", "满意度", true),
    Column("flags", "标记", false),
];

const COMPLAINT_COLUMNS: [Column; 6] = [
    Column("shop", "店铺", true),
    Column("agent", "客服", true),
    Column("date", "日期", true),
    Column("type", "类型", true),
    Column("upheld", "是否成立", true),
    Column("evidence", "举证号", false),
];

/// Load and validate the shop metrics CSV (format in the module docs).
/// Rows come back sorted by (month, shop).
///
/// # Errors
/// [`TierError::Io`] if the file cannot be read; [`TierError::Invalid`]
/// with every bad header, row and cell as `path:line: reason`.
pub fn load_shop_metrics(path: impl AsRef<Path>) -> Result<Vec<ShopMetrics>, TierError> {
    let path = path.as_ref();
    let bytes = read(path)?;
    parse_shop_metrics(&bytes, &path.display().to_string())
}

/// Load and validate the complaints CSV (format in the module docs).
/// Rows come back sorted by (shop, date, source line).
///
/// # Errors
/// As [`load_shop_metrics`].
pub fn load_complaints(path: impl AsRef<Path>) -> Result<Vec<Complaint>, TierError> {
    let path = path.as_ref();
    let bytes = read(path)?;
    parse_complaints(&bytes, &path.display().to_string())
}

fn read(path: &Path) -> Result<Vec<u8>, TierError> {
    std::fs::read(path).map_err(|source| TierError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// A CSV being validated: column positions and collected errors.
struct Table<'a> {
    path: &'a str,
    errors: Vec<Located>,
    positions: Vec<Option<usize>>,
}

impl<'a> Table<'a> {
    fn error(&mut self, line: u64, message: String) {
        self.errors.push(Located {
            path: self.path.to_string(),
            line,
            column: None,
            message,
        });
    }

    /// Map header names to the expected columns.
    fn header(path: &'a str, header: &csv::StringRecord, columns: &[Column]) -> Table<'a> {
        let mut table = Table {
            path,
            errors: Vec::new(),
            positions: vec![None; columns.len()],
        };
        let line = header.position().map_or(1, |p| p.line());
        let names: Vec<&str> = columns.iter().flat_map(|c| [c.0, c.1]).collect();
        for (index, raw) in header.iter().enumerate() {
            let name = raw.trim().to_ascii_lowercase();
            match columns.iter().position(|c| c.0 == name || c.1 == name) {
                Some(col) if table.positions[col].is_some() => {
                    table.error(line, format!("column `{}` appears twice", columns[col].0));
                }
                Some(col) => table.positions[col] = Some(index),
                None => {
                    let hint = closest(&name, &names)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    let expected: Vec<&str> = columns.iter().map(|c| c.0).collect();
                    table.error(
                        line,
                        format!(
                            "unknown column `{}` (expected {}){hint}",
                            raw.trim(),
                            expected.join(", ")
                        ),
                    );
                }
            }
        }
        for (col, column) in columns.iter().enumerate() {
            if column.2 && table.positions[col].is_none() {
                table.error(
                    line,
                    format!("missing required column `{}` (or `{}`)", column.0, column.1),
                );
            }
        }
        table
    }

    /// The trimmed cell of column `col`, or `""` for an absent optional one.
    fn cell<'r>(&self, record: &'r csv::StringRecord, col: usize) -> &'r str {
        self.positions[col]
            .and_then(|i| record.get(i))
            .map_or("", str::trim)
    }
}

/// Read every record, reporting malformed rows at their line.
fn records<'p>(
    bytes: &[u8],
    path: &'p str,
    columns: &[Column],
) -> Result<(Table<'p>, Vec<(u64, csv::StringRecord)>), TierError> {
    let decoded = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(decoded.as_ref());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(err) => return Err(TierError::Invalid(vec![csv_error(path, &err)])),
    };
    let mut table = Table::header(path, &header, columns);
    let mut rows = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                rows.push((line, record));
            }
            Err(err) => table.errors.push(csv_error(path, &err)),
        }
    }
    if header.iter().all(|h| h.trim().is_empty()) {
        table.error(1, "empty file: expected a header row".to_string());
    }
    Ok((table, rows))
}

/// UTF-8 as is; otherwise a strict GB18030 decode; otherwise the original
/// bytes, so the CSV reader reports the first invalid line.
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if std::str::from_utf8(bytes).is_ok() {
        return std::borrow::Cow::Borrowed(bytes);
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => std::borrow::Cow::Owned(text.into_owned().into_bytes()),
        None => std::borrow::Cow::Borrowed(bytes),
    }
}

fn csv_error(path: &str, err: &csv::Error) -> Located {
    let line = err.position().map_or(1, |p| p.line());
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => {
            "neither UTF-8 nor GB18030 text (save the file as UTF-8)".to_string()
        }
        _ => err.to_string(),
    };
    Located {
        path: path.to_string(),
        line,
        column: None,
        message,
    }
}

/// Parse the shop metrics CSV from bytes; `path` is only used in messages.
fn parse_shop_metrics(bytes: &[u8], path: &str) -> Result<Vec<ShopMetrics>, TierError> {
    let (mut table, rows) = records(bytes, path, &SHOP_COLUMNS)?;
    if !table.errors.is_empty() && table.positions.iter().take(8).any(Option::is_none) {
        return Err(TierError::Invalid(table.errors));
    }
    let mut out: Vec<ShopMetrics> = Vec::new();
    let mut seen: std::collections::BTreeMap<(String, String), u64> = Default::default();
    for (line, record) in rows {
        let mut problems = Vec::new();
        let shop = required(&table, &record, 0, "shop", &mut problems);
        let platform_text = table.cell(&record, 1);
        let platform = Platform::parse(platform_text);
        if platform.is_none() {
            problems.push(format!(
                "platform `{platform_text}` is not 淘宝/天猫 (or taobao/tmall)"
            ));
        }
        let industry = required(&table, &record, 2, "industry", &mut problems);
        let scale_band = required(&table, &record, 3, "scale_band", &mut problems);
        let month = parse_month(table.cell(&record, 4))
            .map_err(|e| problems.push(e))
            .ok();
        let score = bounded(table.cell(&record, 5), "score", Fixed::from_int(5), false)
            .map_err(|e| problems.push(e))
            .ok();
        let reviews_text = table.cell(&record, 6);
        let reviews = reviews_text
            .parse::<u64>()
            .map_err(|_| problems.push(format!("reviews `{reviews_text}` is not a whole number")))
            .ok();
        let satisfaction = bounded(
            table.cell(&record, 7),
            "satisfaction",
            Fixed::from_int(100),
            true,
        )
        .map_err(|e| problems.push(e))
        .ok();
        let flags = parse_flags(table.cell(&record, 8))
            .map_err(|e| problems.push(e))
            .ok();
        if let (Some(month), false) = (&month, shop.is_empty()) {
            if let Some(first) = seen.insert((shop.clone(), month.clone()), line) {
                problems.push(format!(
                    "shop `{shop}` has a second row for {month} (first at line {first})"
                ));
            }
        }
        if let (
            [],
            Some(platform),
            Some(month),
            Some(score),
            Some(reviews),
            Some(satisfaction),
            Some(flags),
        ) = (
            problems.as_slice(),
            platform,
            month,
            score,
            reviews,
            satisfaction,
            flags,
        ) {
            out.push(ShopMetrics {
                shop,
                platform,
                industry,
                scale_band,
                month,
                score,
                reviews,
                satisfaction,
                flags,
                source: format!("{path}:{line}"),
            });
        }
        for problem in problems {
            table.error(line, problem);
        }
    }
    if !table.errors.is_empty() {
        table.errors.sort_by_key(|e| e.line);
        return Err(TierError::Invalid(table.errors));
    }
    out.sort_by(|a, b| (&a.month, &a.shop).cmp(&(&b.month, &b.shop)));
    Ok(out)
}

/// Parse the complaints CSV from bytes; `path` is only used in messages.
fn parse_complaints(bytes: &[u8], path: &str) -> Result<Vec<Complaint>, TierError> {
    let (mut table, rows) = records(bytes, path, &COMPLAINT_COLUMNS)?;
    if !table.errors.is_empty() && table.positions.iter().take(5).any(Option::is_none) {
        return Err(TierError::Invalid(table.errors));
    }
    let mut out = Vec::new();
    for (line, record) in rows {
        let mut problems = Vec::new();
        let shop = required(&table, &record, 0, "shop", &mut problems);
        let agent = table.cell(&record, 1).to_string();
        let date = parse_date(table.cell(&record, 2))
            .map_err(|e| problems.push(e))
            .ok();
        let complaint_type = required(&table, &record, 3, "type", &mut problems);
        let upheld_text = table.cell(&record, 4);
        let upheld = parse_bool(upheld_text);
        if upheld.is_none() {
            problems.push(format!(
                "upheld `{upheld_text}` is not true/false, yes/no, 1/0, 是/否 or 成立/不成立"
            ));
        }
        let evidence = table.cell(&record, 5).to_string();
        if let ([], Some(date), Some(upheld)) = (problems.as_slice(), date, upheld) {
            out.push(Complaint {
                shop,
                agent,
                date,
                complaint_type,
                upheld,
                evidence,
                source: format!("{path}:{line}"),
            });
        }
        for problem in problems {
            table.error(line, problem);
        }
    }
    if !table.errors.is_empty() {
        table.errors.sort_by_key(|e| e.line);
        return Err(TierError::Invalid(table.errors));
    }
    out.sort_by(|a, b| (&a.shop, &a.date, &a.source).cmp(&(&b.shop, &b.date, &b.source)));
    Ok(out)
}

fn required(
    table: &Table<'_>,
    record: &csv::StringRecord,
    col: usize,
    name: &str,
    problems: &mut Vec<String>,
) -> String {
    let value = table.cell(record, col);
    if value.is_empty() {
        problems.push(format!("`{name}` is empty"));
    }
    value.to_string()
}

/// `YYYY-MM` (or `YYYY/MM`) → `YYYY-MM`.
fn parse_month(text: &str) -> Result<String, String> {
    let normalized = text.replace('/', "-");
    let valid = normalized.len() == 7
        && chrono::NaiveDate::parse_from_str(&format!("{normalized}-01"), "%Y-%m-%d").is_ok();
    if valid {
        Ok(normalized)
    } else {
        Err(format!("month `{text}` is not YYYY-MM"))
    }
}

/// `YYYY-MM-DD` (or `YYYY/MM/DD`) → `YYYY-MM-DD`, a real calendar date.
fn parse_date(text: &str) -> Result<String, String> {
    let normalized = text.replace('/', "-");
    match chrono::NaiveDate::parse_from_str(&normalized, "%Y-%m-%d") {
        Ok(date) if normalized.len() == 10 => Ok(date.format("%Y-%m-%d").to_string()),
        _ => Err(format!("date `{text}` is not a calendar date YYYY-MM-DD")),
    }
}

/// A decimal in `0..=max`, compared exactly; `percent` allows a trailing `%`.
fn bounded(text: &str, name: &str, max: Fixed, percent: bool) -> Result<Fixed, String> {
    let digits = if percent {
        text.strip_suffix('%').unwrap_or(text)
    } else {
        text
    };
    let value = Fixed::parse(digits).map_err(|e| format!("{name}: {e}"))?;
    if value < Fixed::ZERO || value > max {
        return Err(format!("{name} {value} is outside 0–{max}"));
    }
    Ok(value)
}

fn parse_flags(text: &str) -> Result<Vec<DeclaredFlag>, String> {
    let mut flags = Vec::new();
    let known: Vec<&str> = DeclaredFlag::ALL.iter().map(|f| f.as_str()).collect();
    for item in
        text.split(|c: char| matches!(c, ';' | '|' | '、' | ',' | '，') || c.is_whitespace())
    {
        if item.is_empty() {
            continue;
        }
        match DeclaredFlag::parse(item) {
            Some(flag) => flags.push(flag),
            None => {
                let hint = closest(item, &known)
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown flag `{item}` (expected D评, SD, data_fraud){hint}"
                ));
            }
        }
    }
    flags.sort();
    flags.dedup();
    Ok(flags)
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "成立" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "不成立" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/tiers")
            .join(name)
    }

    #[test]
    fn loads_the_shop_fixture_with_bom_aliases_and_flags() {
        let shops = load_shop_metrics(fixture("shops.csv")).unwrap();
        let first = &shops[0];
        assert!(
            first.source.ends_with("shops.csv:2")
                || shops.iter().any(|s| s.source.ends_with("shops.csv:2"))
        );
        let tmall = shops.iter().find(|s| s.shop == "静雅家居旗舰店").unwrap();
        assert_eq!(tmall.platform, Platform::Tmall);
        assert_eq!(tmall.score.to_string(), "3.6");
        let flagged = shops.iter().find(|s| s.shop == "好运数码小铺").unwrap();
        assert_eq!(flagged.flags, [DeclaredFlag::DReview, DeclaredFlag::Sd]);
        let sorted = shops
            .windows(2)
            .all(|w| (&w[0].month, &w[0].shop) <= (&w[1].month, &w[1].shop));
        assert!(sorted);
    }

    #[test]
    fn chinese_headers_bom_and_percent_signs_are_accepted() {
        let text = "\u{feff}店铺,平台,行业,规模,月份,新灯塔综合服务分,评价量,满意度\n小林茶舍,TaoBao,茶叶,小,2026/10,4.87,230,96.5%\n";
        let rows = parse_shop_metrics(text.as_bytes(), "x.csv").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].platform, Platform::Taobao);
        assert_eq!(rows[0].month, "2026-10");
        assert_eq!(rows[0].satisfaction.to_string(), "96.5");
        assert_eq!(rows[0].source, "x.csv:2");
    }

    #[test]
    fn gbk_files_from_excel_are_decoded() {
        let text = "店铺,平台,行业,规模,月份,新灯塔综合服务分,评价量,满意度\r\n小林茶舍,淘宝,茶叶,小,2026-10,4.87,230,96.5\r\n";
        let (gbk, _, lossy) = encoding_rs::GBK.encode(text);
        assert!(!lossy && std::str::from_utf8(&gbk).is_err());
        let rows = parse_shop_metrics(&gbk, "gbk.csv").unwrap();
        assert_eq!(
            (rows[0].shop.as_str(), rows[0].industry.as_str()),
            ("小林茶舍", "茶叶")
        );
        // Neither UTF-8 nor GB18030: refused at its line.
        let mut bad =
            b"shop,platform,industry,scale_band,month,score,reviews,satisfaction\n".to_vec();
        bad.extend_from_slice(b"\xff\xff,x,x,x,2026-10,4,1,1\n");
        let err = parse_shop_metrics(&bad, "bad.csv").unwrap_err().to_string();
        assert_eq!(
            err,
            "bad.csv:2: neither UTF-8 nor GB18030 text (save the file as UTF-8)"
        );
    }

    #[test]
    fn every_bad_cell_is_reported_at_its_line() {
        let err = load_shop_metrics(fixture("bad_shops.csv"))
            .unwrap_err()
            .to_string();
        let path = fixture("bad_shops.csv").display().to_string();
        let expected = [
            format!("{path}:3: platform `京东` is not 淘宝/天猫 (or taobao/tmall)"),
            format!("{path}:4: score: `4.599999` has more than 4 decimal places (values are compared exactly)"),
            format!("{path}:5: satisfaction 101 is outside 0–100"),
            format!("{path}:6: month `2026-13` is not YYYY-MM"),
            format!("{path}:7: reviews `一百` is not a whole number"),
            format!("{path}:8: unknown flag `SB` (expected D评, SD, data_fraud); did you mean `SD`?"),
            format!("{path}:9: shop `小林茶舍` has a second row for 2026-10 (first at line 2)"),
            format!("{path}:10: row has 7 fields, the header has 9"),
        ];
        assert_eq!(err, expected.join("\n"));
    }

    #[test]
    fn unknown_and_missing_columns_stop_before_rows() {
        let text = "shop,platfrom,industry,scale_band,month,score,reviews,satisfaction\n";
        let err = parse_shop_metrics(text.as_bytes(), "s.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "s.csv:1: unknown column `platfrom` (expected shop, platform, industry, scale_band, month, score, reviews, satisfaction, flags); did you mean `platform`?\n\
             s.csv:1: missing required column `platform` (or `平台`)"
        );
    }

    #[test]
    fn complaints_are_validated_and_sorted() {
        let rows = load_complaints(fixture("complaints.csv")).unwrap();
        assert!(rows
            .windows(2)
            .all(|w| (&w[0].shop, &w[0].date) <= (&w[1].shop, &w[1].date)));
        let abuse = rows.iter().find(|c| c.complaint_type == "辱骂").unwrap();
        assert!(abuse.upheld);
        assert_eq!(abuse.month(), "2026-10");
        let text = "shop,agent,date,type,upheld\n小林茶舍,小林茶舍:阿青,2026-02-30,辱骂,是\n小林茶舍,,2026-10-03,,也许\n";
        let err = parse_complaints(text.as_bytes(), "c.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "c.csv:2: date `2026-02-30` is not a calendar date YYYY-MM-DD\n\
             c.csv:3: `type` is empty\n\
             c.csv:3: upheld `也许` is not true/false, yes/no, 1/0, 是/否 or 成立/不成立"
        );
    }

    #[test]
    fn missing_file_is_an_io_error_naming_the_path() {
        let err = load_complaints(Path::new("/nonexistent/complaints.csv")).unwrap_err();
        assert!(matches!(err, TierError::Io { .. }));
        assert!(err.to_string().starts_with("/nonexistent/complaints.csv: "));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let _ = parse_shop_metrics(&bytes, "p.csv");
            let _ = parse_complaints(&bytes, "p.csv");
        }

        #[test]
        fn arbitrary_rows_under_a_valid_header_never_panic(row in "[0-9a-z淘宝天猫%.,;| -]{0,80}") {
            let text = format!("shop,platform,industry,scale_band,month,score,reviews,satisfaction,flags\n{row}\n");
            let _ = parse_shop_metrics(text.as_bytes(), "p.csv");
        }
    }
}
