//! `wwqa`: the command line. Parses arguments, calls the library, maps the
//! result to the documented exit codes:
//!
//! * 0: success, every input line analysed or recognised;
//! * 1: `scan --fail-on SEVERITY` found a finding of that severity or
//!   worse (for CI), or `verify` found an altered bundle;
//! * 2: an error, or input data was skipped (rejected lines, unreadable
//!   files): the outputs are still written and `rejects.jsonl` says what.
//!   Skipped data wins over `--fail-on`.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use wwqa::analyze::Analyzers;
use wwqa::ingest::{decode::Encoding, Format, IngestOptions, RoleConfig};

#[derive(Parser)]
#[command(
    name = "wwqa",
    version,
    about = "Analyse Taobao/Tmall Wangwang (千牛) customer-service transcripts"
)]
struct Cli {
    /// Configuration file (default: `wwqa.toml` in the working directory or
    /// the nearest parent that has one).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore any `wwqa.toml`: the bundled defaults alone.
    #[arg(long, global = true, conflicts_with = "config")]
    no_config: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum EncodingArg {
    Utf8,
    Gb18030,
    Utf16le,
    Utf16be,
}

#[derive(Subcommand)]
enum Command {
    /// Scan transcript files or directories and write the analysis.
    Scan {
        /// Files or directories (walked recursively, hidden files skipped).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output directory.
        #[arg(long, default_value = "wwqa-out")]
        out: PathBuf,
        /// Force the input format instead of detecting it per file.
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Force the input encoding instead of detecting it per file.
        #[arg(long, value_enum)]
        encoding: Option<EncodingArg>,
        /// Worker threads for parsing and analysis (default: all cores); one
        /// thread that reads and sessionises and one that writes come on top.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Inactivity gap that starts a new session, in minutes.
        #[arg(long, default_value_t = 30)]
        gap_minutes: i64,
        /// Roles file (default: the bundled lexicons/roles.toml).
        #[arg(long)]
        roles: Option<PathBuf>,
        /// Enable only these rule codes or prefixes (comma-separated).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Disable these rule codes or prefixes (comma-separated).
        #[arg(long, value_delimiter = ',')]
        ignore: Vec<String>,
        /// No progress bar and no summary table.
        #[arg(long, short)]
        quiet: bool,
        /// Do not write report.html and findings.csv.
        #[arg(long)]
        no_report: bool,
        /// Keep buyers' personal data in report.html and findings.csv.
        #[arg(long)]
        no_redact: bool,
        /// Write every message (sender, text, lines, bytes) into
        /// sessions.jsonl, not only each session's line and byte range.
        #[arg(long)]
        session_messages: bool,
        /// Give every finding in findings.jsonl the two messages before and
        /// after it (`context`).
        #[arg(long)]
        finding_context: bool,
        /// Size of the pieces large files are read in, in KiB (memory per
        /// piece in flight; results do not depend on it).
        #[arg(long, default_value_t = wwqa::scan::PIECE_BYTES / 1024, hide = true)]
        piece_kib: usize,
        /// Shop metrics CSV: also decide tiers (tiers.csv, tiers.json, and a
        /// `tiers` section in summary.json).
        #[arg(long)]
        shops: Option<PathBuf>,
        /// Complaints CSV for the tier decision.
        #[arg(long, requires = "shops")]
        complaints: Option<PathBuf>,
        /// Tier policy for the tier decision.
        #[arg(long, requires = "shops")]
        tier_policy: Option<PathBuf>,
        /// Exit 1 when a finding of this severity or worse is found (for CI).
        #[arg(long, value_parser = ["info", "low", "medium", "high"])]
        fail_on: Option<String>,
    },
    /// List every rule code.
    Rules,
    /// Explain a rule: what it flags, why, options, examples.
    Explain {
        /// Rule code, e.g. LAT001.
        code: String,
    },
    /// Train a model from labelled data.
    Train {
        #[command(subcommand)]
        what: TrainWhat,
    },
    /// Evaluate a model on labelled data.
    Eval {
        #[command(subcommand)]
        what: EvalWhat,
    },
    /// Merge the scores of several scan output directories (shards of one
    /// dump) into one: scores.json, agents.csv, shops.csv.
    Merge {
        /// Scan output directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Decide team tiers (金牌/银牌/黑牌) and agent levels from scan scores
    /// and shop metrics.
    Tier {
        /// A scan (or merge) output directory holding scores.json.
        #[arg(long)]
        scores: PathBuf,
        /// Shop metrics CSV (shop, platform, industry, scale band, month,
        /// 新灯塔 score, reviews, satisfaction).
        #[arg(long)]
        shops: PathBuf,
        /// Complaints CSV (shop, agent, date, type, upheld, evidence).
        #[arg(long)]
        complaints: Option<PathBuf>,
        /// Tier policy (default: the bundled lexicons/tiers.toml).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Print every rule checked for this shop.
        #[arg(long)]
        explain: Option<String>,
        /// Where to write tiers.csv and tiers.json (default: the scores directory).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Show or check the configuration (`wwqa.toml`).
    Config {
        #[command(subcommand)]
        what: ConfigWhat,
    },
    /// Validate lexicon files (`path:line: message`, exit 2 on any problem).
    Lexicon {
        #[command(subcommand)]
        what: LexiconWhat,
    },
    /// Render DIR/report.html (charts, sortable tables, quotes, tiers) and
    /// DIR/findings.csv from a scan output directory. Buyer nicks, phone,
    /// ID, card and order numbers and addresses are masked unless
    /// --no-redact.
    Report {
        /// A scan output directory (holding summary.json).
        dir: PathBuf,
        /// Where to write the HTML (default: DIR/report.html). Links to
        /// DIR/evidence/ are relative, so keep it inside DIR.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Keep buyers' personal data, for reviewers who need the originals.
        #[arg(long)]
        no_redact: bool,
        /// Also write DIR/report.xlsx (KPI, agents, shops, findings, review).
        #[arg(long)]
        xlsx: bool,
        /// A review pack (from `wwqa sample`) whose findings fill the
        /// workbook's review sheet (default: the findings with a verdict).
        #[arg(long, requires = "xlsx")]
        review: Option<PathBuf>,
    },
    /// Write a seeded synthetic dump with its ground truth.
    Generate {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Approximate total size, e.g. 10MB, 1GB.
        #[arg(long, default_value = "1MB")]
        size: String,
        /// Format to write.
        #[arg(long, value_enum, default_value = "qianniu-text")]
        format: Format,
        /// Seed: the same seed gives the same dump.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Number of files to spread the dump over.
        #[arg(long, default_value_t = 4)]
        files: usize,
    },
    /// Write evidence bundles: a buyer's complete conversation range, every
    /// message hashed, as OUT/<case-id>/bundle.json and bundle.html (original,
    /// unredacted text).
    Evidence {
        /// Files or directories of the dump.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Buyer nick (exact).
        #[arg(long)]
        buyer: String,
        /// Shop nick (exact); default: one case per shop the buyer talked to.
        #[arg(long)]
        shop: Option<String>,
        /// Window start, `YYYY-MM-DD[ HH:MM:SS]` Shanghai time; whole sessions
        /// overlapping the window are included.
        #[arg(long)]
        from: Option<String>,
        /// Window end, `YYYY-MM-DD[ HH:MM:SS]` Shanghai time (a bare date
        /// includes that whole day).
        #[arg(long)]
        to: Option<String>,
        /// Output directory.
        #[arg(long, default_value = "wwqa-evidence")]
        out: PathBuf,
    },
    /// Check an evidence bundle (and the bundle.html beside it) against the
    /// dump: exit 0 if unaltered, 1 if not, naming the first differing
    /// message; 2 if the files given hold no message of its conversation.
    Verify {
        /// bundle.json, or the case directory holding it.
        bundle: PathBuf,
        /// Files or directories of the dump to check against.
        #[arg(long, required = true, num_args = 1..)]
        against: Vec<PathBuf>,
    },
    /// Draw a seeded, stratified 抽检 sample of a scan's sessions and write a
    /// review pack: one page per session (chat view, findings marked,
    /// verdict form saving a JSON file), index.html, manifest.json and a
    /// verdicts.csv sheet (one row per finding, verdict column).
    Sample {
        /// A scan output directory.
        dir: PathBuf,
        /// Sessions per agent.
        #[arg(long, conflicts_with = "share", required_unless_present = "share")]
        per_agent: Option<usize>,
        /// Share of each agent's sessions, e.g. `2%` (rounded up per agent).
        #[arg(long)]
        share: Option<String>,
        /// Only sessions with a finding at least this severe (low, medium, high).
        #[arg(long)]
        severity: Option<String>,
        /// Only sessions of this stage (e.g. after_sale).
        #[arg(long)]
        stage: Option<String>,
        /// Seed: the same seed gives the same sample.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output directory of the pack.
        #[arg(long, default_value = "review")]
        out: PathBuf,
        /// Keep buyers' personal data in the pages and sheet.
        #[arg(long)]
        no_redact: bool,
    },
    /// Reviewers' verdicts on findings: import them, print per-rule precision.
    Review {
        #[command(subcommand)]
        what: ReviewWhat,
    },
    /// Render one session of a scan as a chat with its findings marked.
    Show {
        /// Session id (from sessions.jsonl or findings.jsonl).
        session_id: String,
        /// The scan output directory.
        #[arg(long)]
        scan: PathBuf,
        /// HTML file to write.
        #[arg(long)]
        out: PathBuf,
        /// Keep buyers' personal data.
        #[arg(long)]
        no_redact: bool,
    },
}

#[derive(Subcommand)]
enum ReviewWhat {
    /// Record verdict files (the review pages' JSON or the verdicts.csv
    /// sheet) into DIR/verdicts.jsonl; importing a file again adds nothing.
    Import {
        /// Verdict files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The scan output directory the verdicts belong to.
        #[arg(long)]
        scan: PathBuf,
        /// Reviewer recorded for rows that name none.
        #[arg(long, default_value = "")]
        reviewer: String,
    },
    /// Per-rule machine count, confirmed, false positives and precision.
    Stats {
        /// The scan output directory.
        dir: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ConfigWhat {
    /// Print the effective configuration, every value with where it came
    /// from (bundled, file:line, flag).
    Show,
    /// Validate the configuration and run every custom rule's examples:
    /// exit 0 when it holds, 2 with `path:line:col: message` when not.
    Check,
}

#[derive(Subcommand)]
enum LexiconWhat {
    /// Check lexicon files (default: the bundled ones).
    Check {
        /// `.lex` files to check.
        paths: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TrainWhat {
    /// Train the offensiveness model (char n-gram logistic regression) on a
    /// COLD-style CSV (`TEXT` and `label` columns).
    Abuse {
        /// Training CSV, e.g. ../shared/data/offensive_cold/train.csv.
        #[arg(long)]
        data: PathBuf,
        /// Model file to write, e.g. lexicons/abuse_model.bin.
        #[arg(long)]
        out: PathBuf,
    },
    /// Train the session-stage model (logistic regression, L2 and
    /// confidence threshold chosen by cross-validation) on labelled sessions.
    Stage {
        #[command(flatten)]
        labelled: LabelledSessions,
        /// Model file to write, e.g. lexicons/stage_model.tsv.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Labelled sessions for the stage model: transcripts and their labels.
#[derive(clap::Args)]
struct LabelledSessions {
    /// Transcript files (JDDC TSV, ECD excerpts, wwqa jsonl/csv…); repeat.
    #[arg(long, required = true)]
    data: Vec<PathBuf>,
    /// Labels TSVs (session_id, stage, confidence, reason); repeat.
    #[arg(long, required = true)]
    labels: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum EvalWhat {
    /// 4-way and binary accuracy of the session-stage classifier against
    /// hand labels.
    Stage {
        #[command(flatten)]
        labelled: LabelledSessions,
        /// Nested K-fold cross-validation: train inside each fold instead
        /// of using the shipped model.
        #[arg(long)]
        cv: Option<usize>,
        /// Measure the cue lexicon alone (the classifier before the model).
        #[arg(long)]
        baseline: bool,
        /// Stage model file to evaluate instead of the bundled one.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Precision and recall of the script and abuse rules against
    /// violation labels (per code, with every disagreement).
    Rules {
        /// Transcript file, e.g. ../shared/data/dialogue_jddc/jddc_chat_sample.tsv.
        #[arg(long)]
        data: PathBuf,
        /// Transcript format (jddc, jsonl, …, or `ecd` for ECD excerpts);
        /// detected when absent.
        #[arg(long)]
        format: Option<String>,
        /// Violation labels TSV (session_id, msg_index, role, code, quote, note).
        #[arg(long)]
        gold: PathBuf,
        /// Sessions read by the labeller, one id per line.
        #[arg(long)]
        sessions: PathBuf,
        /// Session id prefix of ECD excerpts (line N is PREFIX-NNN).
        #[arg(long, default_value = "ecd-train")]
        ecd_prefix: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Accuracy, precision, recall and F1 of the offensiveness model.
    Abuse {
        /// COLD-style CSV, e.g. ../shared/data/offensive_cold/dev.csv.
        #[arg(long)]
        data: PathBuf,
        /// Model file (default: the bundled lexicons/abuse_model.bin).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Recall on planted insults, threats and evasions, and false
    /// positives on innocent look-alikes, of the abuse term list.
    AbuseLexicon {
        /// Test-set directory.
        #[arg(long, default_value = "fixtures/abuse")]
        fixtures: PathBuf,
        /// Term list (default: the bundled lexicons/abuse_terms.txt).
        #[arg(long)]
        terms: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("wwqa: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The configuration the flags ask for: `--no-config`, `--config FILE`,
/// or `wwqa.toml` found from the working directory up.
fn load_config(file: Option<&std::path::Path>, no_config: bool) -> Result<wwqa::config::Config> {
    if no_config {
        return Ok(wwqa::config::Config::bundled());
    }
    let found = match file {
        Some(path) => Some(path.to_path_buf()),
        None => wwqa::config::Config::discover(&std::env::current_dir()?),
    };
    Ok(match found {
        Some(path) => wwqa::config::Config::load(&path)?,
        None => wwqa::config::Config::bundled(),
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    let config = || load_config(cli.config.as_deref(), cli.no_config);
    match cli.command {
        Command::Scan {
            paths,
            out,
            format,
            encoding,
            threads,
            gap_minutes,
            roles,
            select,
            ignore,
            quiet,
            no_report,
            no_redact,
            session_messages,
            finding_context,
            piece_kib,
            shops,
            complaints,
            tier_policy,
            fail_on,
        } => {
            if gap_minutes <= 0 {
                bail!("--gap-minutes must be positive");
            }
            let mut ingest = IngestOptions {
                format,
                encoding: encoding.map(|e| match e {
                    EncodingArg::Utf8 => Encoding::Utf8,
                    EncodingArg::Gb18030 => Encoding::Gb18030,
                    EncodingArg::Utf16le => Encoding::Utf16Le,
                    EncodingArg::Utf16be => Encoding::Utf16Be,
                }),
                ..IngestOptions::default()
            };
            let mut config = config()?;
            if !select.is_empty() {
                config.flag_select = Some(select);
            }
            config.flag_ignore = ignore;
            let mut analyzers = Analyzers::from_config(&config)?;
            ingest.roles = config.roles()?;
            if let Some(p) = roles {
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("{}: cannot read", p.display()))?;
                ingest.roles =
                    RoleConfig::parse(&text, &p.to_string_lossy()).map_err(anyhow::Error::msg)?;
            }
            if let Some(key_env) = &config.key_env {
                // The report reads its key from WWQA_REDACT_KEY; a shop's
                // configuration may keep it under another name. Set before
                // any thread starts.
                if let Ok(key) = std::env::var(&key_env.value) {
                    std::env::set_var("WWQA_REDACT_KEY", key);
                }
            }
            let no_redact = no_redact || !config.redact();
            analyzers.session_messages = session_messages;
            analyzers.finding_context = finding_context;
            let options = wwqa::scan::ScanOptions {
                piece_bytes: piece_kib.max(1) * 1024,
                inputs: paths,
                out_dir: out.clone(),
                threads,
                ingest,
                session: wwqa::session::SessionOptions {
                    gap_secs: gap_minutes * 60,
                },
                progress: !quiet,
                report: !no_report,
                redact: !no_redact,
            };
            let started = std::time::Instant::now();
            let outcome = wwqa::scan::run(&options, &analyzers)?;
            if let Some(shops) = &shops {
                let scores = merge_scores(std::slice::from_ref(&out))?;
                decide_and_write_tiers(
                    &scores,
                    shops,
                    complaints.as_deref(),
                    tier_policy.as_deref(),
                    &out,
                )?;
                if options.report {
                    // Re-render so the report shows the tier results.
                    let html = wwqa::report::html::render_report(&out, options.redact)?;
                    std::fs::write(out.join("report.html"), html)?;
                }
            }
            if !quiet {
                eprint!("{}", wwqa::report::terminal::summary_table(&out)?);
                let secs = started.elapsed().as_secs_f64();
                eprintln!(
                    "wwqa: {} files, {:.1} MB in {:.2} s ({:.1} MB/s): {} sessions, {} messages, {} findings, {} lines rejected → {}",
                    outcome.files,
                    outcome.bytes as f64 / 1e6,
                    secs,
                    outcome.bytes as f64 / 1e6 / secs.max(1e-9),
                    outcome.sessions,
                    outcome.messages,
                    outcome.findings,
                    outcome.lines_rejected,
                    out.display()
                );
            }
            if outcome.lost_data() {
                eprintln!(
                    "wwqa: {} lines rejected and {} files unreadable: see {}",
                    outcome.lines_rejected,
                    outcome.files_unreadable,
                    out.join("rejects.jsonl").display()
                );
                return Ok(ExitCode::from(2));
            }
            if let Some(s) = fail_on.as_deref().and_then(wwqa::finding::Severity::parse) {
                if outcome.has_finding_at_least(s) {
                    eprintln!(
                        "wwqa: findings of severity {} or worse (--fail-on)",
                        s.as_str()
                    );
                    return Ok(ExitCode::from(1));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            let engine = Analyzers::from_config(&config()?)?;
            for m in engine.rules() {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    m.code,
                    m.name,
                    m.family,
                    engine.severity_of(m).as_str(),
                    m.summary
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Config { what } => {
            let config = config()?;
            let engine = Analyzers::from_config(&config)?;
            match what {
                ConfigWhat::Show => print!("{}", wwqa::config::show::render(&config, &engine)),
                ConfigWhat::Check => {
                    let examples: usize = engine
                        .text
                        .custom()
                        .iter()
                        .map(|r| r.examples().0.len() + r.examples().1.len())
                        .sum();
                    println!(
                        "{}: ok ({} custom rules, {examples} examples run; hash {})",
                        config.path.as_ref().map_or_else(
                            || "bundled defaults".to_string(),
                            |p| p.display().to_string()
                        ),
                        engine.text.custom().iter().count(),
                        engine.record.hash
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { code } => {
            let engine = Analyzers::from_config(&config()?)?;
            let Some(m) = engine.rule(&code) else {
                let codes: Vec<&str> = engine.rules().iter().map(|m| m.code).collect();
                let hint = wwqa::diag::did_you_mean(&code, codes.iter().copied())
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                bail!("unknown rule code `{code}`{hint}; `wwqa rules` lists them");
            };
            let mut text = wwqa::rules::explain(m);
            let severity = engine.severity_of(m);
            if severity != m.severity {
                text = text.replacen(
                    &format!("Severity: {}", m.severity.as_str()),
                    &format!(
                        "Severity: {} (configured; the rule's own: {})",
                        severity.as_str(),
                        m.severity.as_str()
                    ),
                    1,
                );
            }
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Train {
            what: TrainWhat::Abuse { data, out },
        } => {
            use wwqa::abuse::model;
            let examples = model::read_cold_csv(&data).map_err(anyhow::Error::msg)?;
            let trained = model::train(&examples, &model::TrainOptions::default());
            trained.save(&out).map_err(anyhow::Error::msg)?;
            eprintln!(
                "wwqa: trained on {} examples → {}",
                examples.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Train {
            what:
                TrainWhat::Stage {
                    labelled: LabelledSessions { data, labels },
                    out,
                },
        } => {
            let summary =
                wwqa::stage::learn::run_train(&data, &labels, &out).map_err(anyhow::Error::msg)?;
            eprintln!("wwqa: {summary}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            what:
                EvalWhat::Stage {
                    labelled: LabelledSessions { data, labels },
                    cv,
                    baseline,
                    model,
                    json,
                },
        } => {
            let how = wwqa::stage::learn::EvalHow {
                cv,
                baseline,
                model,
            };
            let report =
                wwqa::stage::learn::run_eval(&data, &labels, &how).map_err(anyhow::Error::msg)?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                print!("{}", report.render_text());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Lexicon {
            what: LexiconWhat::Check { paths },
        } => {
            // Without paths, check the lexicons built into this binary.
            let (diagnostics, files) = if paths.is_empty() {
                match wwqa::lexicon::bundled() {
                    Ok(l) => (Vec::new(), l.len()),
                    Err(e) => (e.0, 0),
                }
            } else {
                (wwqa::lexicon::check(&paths), paths.len())
            };
            for d in &diagnostics {
                println!("{d}");
            }
            if diagnostics.is_empty() {
                eprintln!("wwqa: {files} lexicon files OK");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("wwqa: {} problems", diagnostics.len());
                Ok(ExitCode::from(2))
            }
        }
        Command::Merge { dirs, out } => {
            let merged = merge_scores(&dirs)?;
            std::fs::create_dir_all(&out)
                .with_context(|| format!("{}: cannot create", out.display()))?;
            wwqa::report::write_scores(&out, &merged)?;
            eprintln!(
                "wwqa: merged {} score files → {}",
                dirs.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Tier {
            scores,
            shops,
            complaints,
            policy,
            explain,
            out,
        } => {
            let scores_data = merge_scores(std::slice::from_ref(&scores))?;
            let out = out.unwrap_or(scores);
            run_tiers(
                &scores_data,
                &shops,
                complaints.as_deref(),
                policy.as_deref(),
                explain.as_deref(),
                &out,
            )
        }
        Command::Eval {
            what:
                EvalWhat::Rules {
                    data,
                    format,
                    gold,
                    sessions,
                    ecd_prefix,
                    json,
                },
        } => {
            use wwqa::rules::eval;
            let format = match format {
                Some(name) => {
                    eval::corpus::CorpusFormat::parse(&name).map_err(anyhow::Error::msg)?
                }
                None => eval::corpus::CorpusFormat::Ingest(None),
            };
            let report = eval::run(&data, format, &gold, &sessions, &ecd_prefix)
                .map_err(anyhow::Error::msg)?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                print!("{}", report.render_text());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            what: EvalWhat::Abuse { data, model, json },
        } => {
            use wwqa::abuse::model as m;
            let examples = m::read_cold_csv(&data).map_err(anyhow::Error::msg)?;
            let loaded;
            let model: &m::AbuseModel = match model {
                Some(p) => {
                    loaded = m::AbuseModel::load(&p).map_err(anyhow::Error::msg)?;
                    &loaded
                }
                None => m::AbuseModel::bundled().map_err(anyhow::Error::msg)?,
            };
            let metrics = m::evaluate(model, &examples);
            if json {
                println!("{}", serde_json::to_string(&metrics)?);
            } else {
                println!("{metrics}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            what:
                EvalWhat::AbuseLexicon {
                    fixtures,
                    terms,
                    json,
                },
        } => {
            use wwqa::abuse::terms::AbuseTerms;
            let terms = match terms {
                Some(p) => AbuseTerms::load(&p)?,
                None => AbuseTerms::bundled()?,
            };
            let eval =
                wwqa::abuse::terms_eval::evaluate(&terms, &fixtures).map_err(anyhow::Error::msg)?;
            if json {
                println!("{}", serde_json::to_string(&eval)?);
            } else {
                print!("{}", eval.render());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            dir,
            out,
            no_redact,
            xlsx,
            review,
        } => {
            wwqa::scan::require_complete(&dir)?;
            let redact = !no_redact;
            let out = out.unwrap_or_else(|| dir.join("report.html"));
            // A merged directory has scores but no findings.jsonl.
            let csv = match wwqa::report::html::write_report(&dir, redact, &out)? {
                Some(rows) => format!(
                    " and {} ({rows} findings)",
                    dir.join("findings.csv").display()
                ),
                None => String::new(),
            };
            eprintln!(
                "wwqa: wrote {}{csv}{}",
                out.display(),
                if redact {
                    ", buyers' personal data masked"
                } else {
                    ", UNREDACTED: contains buyers' personal data"
                }
            );
            if xlsx {
                let path = dir.join("report.xlsx");
                let r = wwqa::report::xlsx::write_workbook(
                    &dir,
                    &path,
                    redact,
                    review.as_deref(),
                    wwqa::report::xlsx::EXCEL_MAX_ROWS,
                )?;
                eprintln!(
                    "wwqa: wrote {} ({} findings, {} left out by the row limit, {} review rows)",
                    path.display(),
                    r.findings_written,
                    r.findings_left_out,
                    r.review_rows
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            out,
            size,
            format,
            seed,
            files,
        } => {
            let bytes = parse_size(&size)?;
            let report = wwqa::synth::generate(&wwqa::synth::SynthOptions {
                out_dir: out.clone(),
                target_bytes: bytes,
                format,
                seed,
                files: files.max(1),
            })?;
            eprintln!(
                "wwqa: wrote {} bytes, {} sessions, {} messages in {} files to {}/dump (ground truth: truth.jsonl)",
                report.bytes,
                report.sessions,
                report.messages,
                report.files,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Evidence {
            paths,
            buyer,
            shop,
            from,
            to,
            out,
        } => {
            use wwqa::evidence;
            let from = from
                .map(|f| evidence::parse_time_bound(&f, false))
                .transpose()?;
            let to = to
                .map(|t| evidence::parse_time_bound(&t, true))
                .transpose()?;
            if let (Some(f), Some(t)) = (from, to) {
                if f > t {
                    bail!("--from is after --to");
                }
            }
            let files = wwqa::scan::collect_files(&paths)?;
            let req = evidence::EvidenceRequest {
                buyer,
                shop,
                from,
                to,
            };
            let analyzers = Analyzers::from_config(&config()?)?;
            let bundles = evidence::build_bundles(
                &files,
                &req,
                &IngestOptions::default(),
                &wwqa::session::SessionOptions::default(),
                &|s| evidence::abuse_highlights(&analyzers, s),
            )?;
            if bundles.is_empty() {
                bail!(
                    "no conversation of buyer `{}`{} in the window among {} files",
                    req.buyer,
                    req.shop
                        .as_ref()
                        .map(|s| format!(" with shop `{s}`"))
                        .unwrap_or_default(),
                    files.len()
                );
            }
            for b in &bundles {
                let dir = out.join(&b.case_id);
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("{}: cannot create", dir.display()))?;
                let json = dir.join("bundle.json");
                std::fs::write(&json, b.to_json() + "\n")
                    .with_context(|| format!("{}: cannot write", json.display()))?;
                let html = dir.join("bundle.html");
                std::fs::write(&html, evidence::render_html(b))
                    .with_context(|| format!("{}: cannot write", html.display()))?;
                eprintln!(
                    "wwqa: case {} ({} / {}): {} messages in {} sessions, range hash {}",
                    b.case_id,
                    b.shop,
                    b.buyer,
                    b.messages.len(),
                    b.sessions.len(),
                    b.range_hash
                );
                println!("{}", json.display());
                println!("{}", html.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Sample {
            dir,
            per_agent,
            share,
            severity,
            stage,
            seed,
            out,
            no_redact,
        } => {
            use wwqa::review::sample::{parse_share, Quota, SampleSpec};
            let quota = match (per_agent, share) {
                (Some(n), _) => Quota::PerAgent(n),
                (None, Some(s)) => Quota::Share(
                    parse_share(&s)
                        .with_context(|| format!("--share `{s}`: expected e.g. 2% or 0.02"))?,
                ),
                (None, None) => bail!("give --per-agent N or --share P%"),
            };
            let min_severity = severity
                .map(|s| {
                    wwqa::finding::Severity::parse(&s)
                        .with_context(|| format!("--severity `{s}`: expected low, medium or high"))
                })
                .transpose()?;
            let spec = SampleSpec {
                quota,
                min_severity,
                stage,
                seed,
            };
            let m = wwqa::review::pack::write_pack(
                &dir,
                &out,
                &spec,
                !no_redact,
                &IngestOptions::default(),
            )?;
            for e in &m.errors {
                eprintln!("wwqa: {e}");
            }
            eprintln!(
                "wwqa: sampled {} sessions ({} findings) into {}/ (index.html, manifest.json, verdicts.csv)",
                m.sessions.len(),
                m.sessions.iter().map(|e| e.finding_ids.len()).sum::<usize>(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Review { what } => match what {
            ReviewWhat::Import {
                files,
                scan,
                reviewer,
            } => {
                let r = wwqa::review::verdicts::import(&files, &scan, &reviewer)?;
                for o in &r.orphans {
                    eprintln!(
                        "wwqa: verdict on finding {} ({} in session {}) kept, but that finding is not in this scan",
                        o.finding_id, o.code, o.session_id
                    );
                }
                eprintln!(
                    "wwqa: {} verdicts read, {} recorded, {} already recorded, {} blank rows, {} not in this scan",
                    r.read,
                    r.added,
                    r.duplicates,
                    r.blank,
                    r.orphans.len()
                );
                Ok(ExitCode::SUCCESS)
            }
            ReviewWhat::Stats { dir, json } => {
                let s = wwqa::review::verdicts::stats(&dir)?;
                if json {
                    println!("{}", serde_json::to_string(&s)?);
                } else {
                    println!("{s}");
                }
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Show {
            session_id,
            scan,
            out,
            no_redact,
        } => {
            wwqa::review::pack::write_session_page(
                &scan,
                &session_id,
                &out,
                !no_redact,
                &IngestOptions::default(),
            )?;
            eprintln!("wwqa: wrote {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { bundle, against } => {
            let files = wwqa::scan::collect_files(&against)?;
            let analyzers = Analyzers::bundled()?;
            let (path, report) =
                wwqa::evidence::verify_file(&bundle, &files, &IngestOptions::default(), &|s| {
                    wwqa::evidence::abuse_highlights(&analyzers, s)
                })?;
            println!("{}: {report}", path.display());
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else if report.no_match {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// Read and merge `scores.json` of each directory.
fn merge_scores(dirs: &[PathBuf]) -> Result<wwqa::scores::Scores> {
    let mut merged: Option<wwqa::scores::Scores> = None;
    for dir in dirs {
        wwqa::scan::require_complete(dir)?;
        let path = dir.join("scores.json");
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "{}: cannot read (not a scan output directory?)",
                path.display()
            )
        })?;
        let part: wwqa::scores::Scores = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a wwqa scores file", path.display()))?;
        match merged.as_mut() {
            None => merged = Some(part),
            Some(m) => m
                .merge(&part)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
        }
    }
    merged.context("no score files given")
}

/// Decide tiers, write tiers.csv / tiers.json and add a `tiers` section to
/// summary.json when there is one.
fn decide_and_write_tiers(
    scores: &wwqa::scores::Scores,
    shops: &std::path::Path,
    complaints: Option<&std::path::Path>,
    policy: Option<&std::path::Path>,
    out: &std::path::Path,
) -> Result<wwqa::tiers::TierSummary> {
    use wwqa::tiers;
    let policy = match policy {
        Some(p) => tiers::TierPolicy::load(p),
        None => tiers::TierPolicy::bundled(),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let metrics = tiers::load_shop_metrics(shops).map_err(|e| anyhow::anyhow!("{e}"))?;
    let complaints = match complaints {
        Some(c) => tiers::load_complaints(c).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => Vec::new(),
    };
    if let Some(w) = tiers::derived::missing_scores_warning(scores, &metrics) {
        eprintln!("wwqa: {w}");
    }
    let summary = tiers::derived::decide_from_scores(&policy, scores, &metrics, &complaints);
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    // Each file is renamed into place once complete (a kill leaves no
    // half-written summary.json).
    use std::io::Write as _;
    use wwqa::report::write_atomically;
    write_atomically(&out.join("tiers.csv"), |w| {
        tiers::write_tiers_csv(w, &summary.shops)
    })?;
    let json = serde_json::to_string_pretty(&summary)? + "\n";
    write_atomically(&out.join("tiers.json"), |w| w.write_all(json.as_bytes()))?;
    let summary_path = out.join("summary.json");
    if let Ok(text) = std::fs::read_to_string(&summary_path) {
        if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) {
            v["tiers"] = serde_json::to_value(&summary)?;
            let json = serde_json::to_string_pretty(&v)? + "\n";
            write_atomically(&summary_path, |w| w.write_all(json.as_bytes()))?;
        }
    }
    Ok(summary)
}

/// Decide tiers, write tiers.csv / tiers.json, print the decisions.
fn run_tiers(
    scores: &wwqa::scores::Scores,
    shops: &std::path::Path,
    complaints: Option<&std::path::Path>,
    policy: Option<&std::path::Path>,
    explain: Option<&str>,
    out: &std::path::Path,
) -> Result<ExitCode> {
    use wwqa::tiers;
    let summary = decide_and_write_tiers(scores, shops, complaints, policy, out)?;
    match explain {
        Some(shop) => {
            let found: Vec<_> = summary.shops.iter().filter(|d| d.shop == shop).collect();
            if found.is_empty() {
                bail!("no tier decision for shop `{shop}` (is it in the shop metrics CSV?)");
            }
            for d in found {
                println!("{}", tiers::render_explain(d));
            }
        }
        None => {
            for d in &summary.shops {
                println!(
                    "{}\t{}\t{} ({})",
                    d.month,
                    d.shop,
                    d.tier.label(),
                    d.tier.as_str()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_size(s: &str) -> Result<u64> {
    let s = s.trim().to_ascii_uppercase();
    let (num, mult) = if let Some(n) = s.strip_suffix("GB") {
        (n, 1_000_000_000)
    } else if let Some(n) = s.strip_suffix("MB") {
        (n, 1_000_000)
    } else if let Some(n) = s.strip_suffix("KB") {
        (n, 1_000)
    } else {
        (s.as_str(), 1)
    };
    let n: f64 = num
        .trim()
        .parse()
        .with_context(|| format!("bad size `{s}` (e.g. 10MB, 1GB)"))?;
    Ok((n * mult as f64) as u64)
}
