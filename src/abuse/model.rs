//! Offensiveness score: logistic regression over hashed character n-grams.
//!
//! Every message gets a probability that it is offensive, used to triage
//! which sessions a human should read first (wwqa issue 6). The model is
//! deliberately simple so that it can score every message of a dump:
//!
//! * text is folded char by char (full-width ASCII to half-width, ASCII to
//!   lower case, whitespace and zero-width characters dropped) so that
//!   `傻 逼`, `ＳＢ` and `sb` look alike to the model;
//! * each char n-gram (1..=4 by default, with a boundary mark at both ends
//!   of the message) is hashed straight into a power-of-two table of
//!   quantised `i16` weights, so scoring allocates nothing and touches one
//!   table slot per n-gram;
//! * the logit is `bias + scale * Σ weights / √(n-gram count)`; the length
//!   normalisation keeps long messages from saturating the score.
//!
//! Training is AdaGrad logistic regression with L2 and a seeded shuffle:
//! the same data and [`TrainOptions`] give a byte-identical model file. The
//! shipped model (`lexicons/abuse_model.bin`, see `lexicons/abuse_model.md`)
//! is trained on COLD (thu-coai/COLDataset, Apache-2.0).
//!
//! # Model file format (version 1, little endian)
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `WWQAABUS` |
//! | 8 | 2 | format version (1) |
//! | 10 | 1 | smallest n-gram length |
//! | 11 | 1 | largest n-gram length (≤ 8) |
//! | 12 | 1 | bucket bits (table has `1 << bits` weights) |
//! | 13 | 1 | flags (bit 0: length normalisation) |
//! | 14 | 2 | reserved, zero |
//! | 16 | 8 | hash seed |
//! | 24 | 4 | bias (`f32`) |
//! | 28 | 4 | decision threshold on the probability (`f32`) |
//! | 32 | 4 | weight scale (`f32`): weight = `i16` × scale |
//! | 36 | 4 | provenance length in bytes |
//! | 40 | … | provenance (UTF-8) |
//! | … | 2 × buckets | weights (`i16`) |
//! | … | 8 | xxh3-64 of every preceding byte |

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;

/// First bytes of every model file.
const MAGIC: &[u8; 8] = b"WWQAABUS";
/// Bumped whenever the layout or the feature extraction changes meaning.
const FORMAT_VERSION: u16 = 1;
/// Size of the fixed header, before the provenance string.
const HEADER_LEN: usize = 40;
/// Size of the trailing checksum.
const CHECKSUM_LEN: usize = 8;
/// Longest n-gram the sliding window can hold.
const MAX_NGRAM: usize = 8;
/// Table sizes outside this range are either useless or absurdly large.
const MIN_BUCKET_BITS: u8 = 8;
const MAX_BUCKET_BITS: u8 = 24;
/// Flag bit: the weight sum is divided by √(n-gram count).
const FLAG_LENGTH_NORM: u8 = 1;
/// Mark pushed before the first and after the last char, so that n-grams
/// can say "the message starts/ends with …" (`滚` alone vs inside a word).
const BOUNDARY: u32 = 0x02;
/// Odd 64-bit constant (2^64 / φ): multiplicative hashing spreads the low
/// bits that differ between chars into the top bits used as bucket index.
const HASH_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
/// Seed mixed into every n-gram hash; stored in the file so a model never
/// scores with a different hash than it was trained with.
const DEFAULT_HASH_SEED: u64 = 0x5757_5141_4142_5553;
/// Largest quantised weight magnitude.
const QUANT_MAX: f32 = i16::MAX as f32;

/// Provenance of the shipped model, written into its header.
pub const COLD_PROVENANCE: &str = "dataset: COLD (Chinese Offensive Language Dataset, Deng et al., EMNLP 2022), \
train.csv from github.com/thu-coai/COLDataset commit a0c55a945497ab58e94aef491180e1cf88ffb864; \
licence: Apache-2.0; \
training command: wwqa train abuse --data ../shared/data/offensive_cold/train.csv --out lexicons/abuse_model.bin";

/// How text is cut into hashed n-grams; fixed per model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FeatureConfig {
    min_n: u8,
    max_n: u8,
    bucket_bits: u8,
    length_norm: bool,
    hash_seed: u64,
}

impl FeatureConfig {
    fn bucket_count(&self) -> usize {
        1usize << self.bucket_bits
    }

    /// Calls `visit` with the bucket of every n-gram of `text` and returns
    /// how many there were. Used both by training and by scoring so the
    /// two can never disagree on features.
    #[inline]
    fn for_each_bucket(&self, text: &str, mut visit: impl FnMut(usize)) -> u64 {
        let mut window = NgramWindow::new(*self);
        let mut count = window.push(BOUNDARY, &mut visit);
        for c in text.chars() {
            if let Some(folded) = fold_char(c) {
                count += window.push(folded, &mut visit);
            }
        }
        count + window.push(BOUNDARY, &mut visit)
    }
}

/// The last few folded chars, newest first.
struct NgramWindow {
    chars: [u32; MAX_NGRAM],
    filled: usize,
    min_n: usize,
    max_n: usize,
    shift: u32,
    hash_seed: u64,
}

impl NgramWindow {
    fn new(config: FeatureConfig) -> Self {
        Self {
            chars: [0; MAX_NGRAM],
            filled: 0,
            min_n: usize::from(config.min_n),
            max_n: usize::from(config.max_n).min(MAX_NGRAM),
            shift: 64 - u32::from(config.bucket_bits),
            hash_seed: config.hash_seed,
        }
    }

    /// Appends `c` and visits the n-grams that end with it.
    #[inline]
    fn push(&mut self, c: u32, visit: &mut impl FnMut(usize)) -> u64 {
        self.chars.copy_within(0..MAX_NGRAM - 1, 1);
        self.chars[0] = c;
        if self.filled < self.max_n {
            self.filled += 1;
        }
        // Extending the hash one char at a time gives every length its own
        // hash without re-reading the window.
        let mut hash = self.hash_seed;
        let mut emitted = 0;
        for (index, &ch) in self.chars[..self.filled].iter().enumerate() {
            hash = (hash ^ u64::from(ch)).wrapping_mul(HASH_MULTIPLIER);
            if index + 1 >= self.min_n {
                visit((hash >> self.shift) as usize);
                emitted += 1;
            }
        }
        emitted
    }
}

/// Folds one char: full-width ASCII to half-width, ASCII upper to lower
/// case; `None` for whitespace and zero-width characters, which are dropped
/// so that spacing a word out does not hide it.
#[inline]
fn fold_char(c: char) -> Option<u32> {
    let mut code = c as u32;
    if (0xFF01..=0xFF5E).contains(&code) {
        code -= 0xFEE0;
    }
    match code {
        0x41..=0x5A => Some(code + 0x20),
        0x09..=0x0D | 0x20 | 0x3000 | 0x00A0 | 0x200B..=0x200D | 0xFEFF => None,
        _ => Some(code),
    }
}

#[inline]
fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// A trained offensiveness model: hashed char n-grams into a flat table of
/// quantised weights, plus bias and decision threshold.
#[derive(Clone, PartialEq)]
pub struct AbuseModel {
    config: FeatureConfig,
    weights: Vec<i16>,
    weight_scale: f32,
    bias: f32,
    threshold: f32,
    provenance: String,
}

impl fmt::Debug for AbuseModel {
    // The weight table has a million entries: show its shape, not its content.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbuseModel")
            .field("ngrams", &(self.config.min_n..=self.config.max_n))
            .field("buckets", &self.weights.len())
            .field("length_norm", &self.config.length_norm)
            .field("bias", &self.bias)
            .field("threshold", &self.threshold)
            .field("provenance", &self.provenance)
            .finish_non_exhaustive()
    }
}

impl AbuseModel {
    /// Probability (0..1) that `text` is offensive. Allocates nothing.
    #[inline]
    pub fn score(&self, text: &str) -> f32 {
        sigmoid(self.logit(text))
    }

    /// Whether [`Self::score`] reaches the model's decision threshold.
    #[inline]
    pub fn is_offensive(&self, text: &str) -> bool {
        self.score(text) >= self.threshold
    }

    /// Log-odds that `text` is offensive (the score before the sigmoid).
    #[inline]
    pub fn logit(&self, text: &str) -> f32 {
        let weights = self.weights.as_slice();
        // Bucket indices are < 2^bits == weights.len() by construction, so
        // the masked index never goes out of bounds.
        let mask = weights.len().wrapping_sub(1);
        let mut sum: i64 = 0;
        let count = self.config.for_each_bucket(text, |bucket| {
            if let Some(&weight) = weights.get(bucket & mask) {
                sum += i64::from(weight);
            }
        });
        let norm = if self.config.length_norm && count > 0 {
            1.0 / (count as f32).sqrt()
        } else {
            1.0
        };
        self.bias + sum as f32 * self.weight_scale * norm
    }

    /// Decision threshold on the probability used by [`Self::is_offensive`].
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Where the model comes from: dataset, licence, training command.
    pub fn provenance(&self) -> &str {
        &self.provenance
    }

    /// Number of weights in the hashed table (a power of two).
    pub fn bucket_count(&self) -> usize {
        self.weights.len()
    }

    /// Smallest and largest n-gram length, in chars.
    pub fn ngram_range(&self) -> (u8, u8) {
        (self.config.min_n, self.config.max_n)
    }

    /// The model shipped in `lexicons/abuse_model.bin` (trained on COLD),
    /// parsed once and shared.
    ///
    /// # Errors
    /// Only if the shipped file is corrupt, which the crate's tests rule out.
    pub fn bundled() -> Result<&'static AbuseModel, String> {
        static BUNDLED_BYTES: &[u8] = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/lexicons/abuse_model.bin"
        ));
        static BUNDLED: OnceLock<Result<AbuseModel, String>> = OnceLock::new();
        BUNDLED
            .get_or_init(|| {
                AbuseModel::from_bytes(BUNDLED_BYTES)
                    .map_err(|e| format!("bundled lexicons/abuse_model.bin: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Serialises the model in the file format described in the module docs.
    pub fn to_bytes(&self) -> Vec<u8> {
        let provenance = self.provenance.as_bytes();
        let mut out = Vec::with_capacity(
            HEADER_LEN + provenance.len() + 2 * self.weights.len() + CHECKSUM_LEN,
        );
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.push(self.config.min_n);
        out.push(self.config.max_n);
        out.push(self.config.bucket_bits);
        out.push(if self.config.length_norm {
            FLAG_LENGTH_NORM
        } else {
            0
        });
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&self.config.hash_seed.to_le_bytes());
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend_from_slice(&self.threshold.to_le_bytes());
        out.extend_from_slice(&self.weight_scale.to_le_bytes());
        // Provenance is built from a &str we control; it never nears 4 GiB.
        out.extend_from_slice(&(provenance.len() as u32).to_le_bytes());
        out.extend_from_slice(provenance);
        for weight in &self.weights {
            out.extend_from_slice(&weight.to_le_bytes());
        }
        let checksum = xxhash_rust::xxh3::xxh3_64(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        out
    }

    /// Parses a model file, strictly: magic, version, sizes, checksum and
    /// every header field are checked.
    ///
    /// # Errors
    /// A lower-case message naming the first problem found.
    pub fn from_bytes(bytes: &[u8]) -> Result<AbuseModel, String> {
        let header = bytes.get(..HEADER_LEN).ok_or_else(|| {
            format!(
                "truncated model file: {} bytes, the header alone needs {HEADER_LEN}",
                bytes.len()
            )
        })?;
        if &header[..8] != MAGIC {
            return Err(format!(
                "bad magic {:?}: not a wwqa abuse model file (expected {:?})",
                String::from_utf8_lossy(&header[..8]),
                String::from_utf8_lossy(MAGIC)
            ));
        }
        let mut reader = ByteReader {
            bytes: header,
            pos: 8,
        };
        let version = u16::from_le_bytes(reader.take());
        if version != FORMAT_VERSION {
            return Err(format!(
                "unsupported model format version {version} (this build reads version {FORMAT_VERSION})"
            ));
        }
        let [min_n, max_n, bucket_bits, flags] = reader.take();
        let reserved = u16::from_le_bytes(reader.take());
        let hash_seed = u64::from_le_bytes(reader.take());
        let bias = f32::from_le_bytes(reader.take());
        let threshold = f32::from_le_bytes(reader.take());
        let weight_scale = f32::from_le_bytes(reader.take());
        let provenance_len = u32::from_le_bytes(reader.take()) as usize;

        if !(MIN_BUCKET_BITS..=MAX_BUCKET_BITS).contains(&bucket_bits) {
            return Err(format!(
                "bucket bits {bucket_bits} out of range {MIN_BUCKET_BITS}..={MAX_BUCKET_BITS}"
            ));
        }
        let buckets = 1usize << bucket_bits;
        let expected_len = HEADER_LEN + provenance_len + 2 * buckets + CHECKSUM_LEN;
        if bytes.len() != expected_len {
            return Err(format!(
                "model file size {} does not match its header ({expected_len} bytes expected \
                 for {buckets} buckets and {provenance_len} bytes of provenance)",
                bytes.len()
            ));
        }
        let (body, stored_checksum) = bytes.split_at(expected_len - CHECKSUM_LEN);
        let mut checksum_bytes = [0u8; CHECKSUM_LEN];
        checksum_bytes.copy_from_slice(stored_checksum);
        let stored_checksum = u64::from_le_bytes(checksum_bytes);
        let actual_checksum = xxhash_rust::xxh3::xxh3_64(body);
        if stored_checksum != actual_checksum {
            return Err(format!(
                "checksum mismatch (stored {stored_checksum:016x}, computed {actual_checksum:016x}): \
                 the model file is corrupted"
            ));
        }
        if min_n == 0 || min_n > max_n || usize::from(max_n) > MAX_NGRAM {
            return Err(format!(
                "bad n-gram range {min_n}..={max_n} (need 1 <= min <= max <= {MAX_NGRAM})"
            ));
        }
        if flags & !FLAG_LENGTH_NORM != 0 || reserved != 0 {
            return Err(format!(
                "unknown flags {flags:#04x} or reserved field {reserved:#06x} set"
            ));
        }
        if !bias.is_finite() || !weight_scale.is_finite() || weight_scale <= 0.0 {
            return Err(format!(
                "bad bias {bias} or weight scale {weight_scale} (need finite, scale > 0)"
            ));
        }
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(format!("threshold {threshold} outside (0, 1)"));
        }
        let provenance_end = HEADER_LEN + provenance_len;
        let provenance = std::str::from_utf8(&body[HEADER_LEN..provenance_end])
            .map_err(|e| format!("provenance is not UTF-8: {e}"))?
            .to_owned();
        let weights = body[provenance_end..]
            .chunks_exact(2)
            .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        Ok(AbuseModel {
            config: FeatureConfig {
                min_n,
                max_n,
                bucket_bits,
                length_norm: flags & FLAG_LENGTH_NORM != 0,
                hash_seed,
            },
            weights,
            weight_scale,
            bias,
            threshold,
            provenance,
        })
    }

    /// Writes the model file to `path`.
    ///
    /// # Errors
    /// `path: reason` when the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), String> {
        let path = path.as_ref();
        std::fs::write(path, self.to_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads and validates a model file (see [`Self::from_bytes`]).
    ///
    /// # Errors
    /// `path: reason` when the file cannot be read or is not a valid model.
    pub fn load(path: impl AsRef<Path>) -> Result<AbuseModel, String> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        AbuseModel::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Reads fixed-size fields from the header, whose length is checked first.
struct ByteReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl ByteReader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut field = [0u8; N];
        if let Some(source) = self.bytes.get(self.pos..self.pos + N) {
            field.copy_from_slice(source);
        }
        self.pos += N;
        field
    }
}

/// Hyper-parameters of [`train`]. The defaults are the variant chosen on a
/// held-out tenth of COLD train (see `lexicons/abuse_model.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainOptions {
    /// Smallest n-gram length in chars (clamped to 1..=max_n).
    pub min_n: u8,
    /// Largest n-gram length in chars (clamped to 1..=8).
    pub max_n: u8,
    /// The weight table has `1 << bucket_bits` entries (clamped to 8..=24).
    pub bucket_bits: u8,
    /// Divide the weight sum by √(n-gram count).
    pub length_norm: bool,
    /// Passes over the data.
    pub epochs: u32,
    /// AdaGrad base learning rate.
    pub learning_rate: f32,
    /// L2 penalty, applied to the weights an example touches.
    pub l2: f32,
    /// Seed of the shuffle between epochs.
    pub seed: u64,
    /// Probability at or above which a text counts as offensive.
    pub threshold: f32,
    /// Provenance string stored in the model file.
    pub provenance: String,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            min_n: 1,
            max_n: 2,
            bucket_bits: 19,
            length_norm: true,
            epochs: 10,
            learning_rate: 0.2,
            l2: 1e-4,
            seed: 0x00C0_1D5E_ED00_0001,
            threshold: 0.5,
            provenance: COLD_PROVENANCE.to_owned(),
        }
    }
}

/// SplitMix64: a tiny, well-mixed PRNG, so the shuffle is identical on
/// every platform without pulling in a crate.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-enough index below `bound` (bias is < 2^-40 for our sizes).
    fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}

/// Trains a model by AdaGrad logistic regression with L2 on
/// `(text, is_offensive)` pairs. Deterministic: single-threaded, seeded
/// shuffle, so the same inputs give a byte-identical model file.
pub fn train(examples: &[(String, bool)], opts: &TrainOptions) -> AbuseModel {
    let max_n = opts.max_n.clamp(1, MAX_NGRAM as u8);
    let config = FeatureConfig {
        min_n: opts.min_n.clamp(1, max_n),
        max_n,
        bucket_bits: opts.bucket_bits.clamp(MIN_BUCKET_BITS, MAX_BUCKET_BITS),
        length_norm: opts.length_norm,
        hash_seed: DEFAULT_HASH_SEED,
    };
    let buckets = config.bucket_count();

    // Extract features once: a flat list of buckets with per-example ranges.
    let mut features: Vec<u32> = Vec::new();
    let mut ranges: Vec<(usize, usize, f32)> = Vec::with_capacity(examples.len());
    for (text, _) in examples {
        let start = features.len();
        // Buckets are < 2^24, so they fit in u32.
        let count = config.for_each_bucket(text, |bucket| features.push(bucket as u32));
        let norm = if config.length_norm && count > 0 {
            1.0 / (count as f32).sqrt()
        } else {
            1.0
        };
        ranges.push((start, features.len(), norm));
    }

    let mut weights = vec![0f32; buckets];
    let mut grad_squares = vec![0f32; buckets];
    let mut bias = 0f32;
    let mut bias_grad_square = 0f32;
    const EPSILON: f32 = 1e-8;
    let learning_rate = opts.learning_rate.max(0.0);
    let l2 = opts.l2.max(0.0);

    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = SplitMix64(opts.seed);
    for _ in 0..opts.epochs {
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        for &index in &order {
            let (start, end, norm) = ranges[index];
            let example_features = &features[start..end];
            let label = if examples[index].1 { 1.0 } else { 0.0 };
            let dot: f32 = example_features.iter().map(|&b| weights[b as usize]).sum();
            let gradient = sigmoid(bias + dot * norm) - label;

            bias_grad_square += gradient * gradient;
            bias -= learning_rate * gradient / (bias_grad_square.sqrt() + EPSILON);
            for &bucket in example_features {
                let b = bucket as usize;
                let g = gradient * norm + l2 * weights[b];
                grad_squares[b] += g * g;
                weights[b] -= learning_rate * g / (grad_squares[b].sqrt() + EPSILON);
            }
        }
    }

    let (weight_scale, quantised) = quantise(&weights);
    AbuseModel {
        config,
        weights: quantised,
        weight_scale,
        bias,
        threshold: if opts.threshold > 0.0 && opts.threshold < 1.0 {
            opts.threshold
        } else {
            0.5
        },
        provenance: opts.provenance.clone(),
    }
}

/// Symmetric linear quantisation to `i16`: the largest weight maps to
/// ±32767, so the relative error of the large (decisive) weights is tiny.
fn quantise(weights: &[f32]) -> (f32, Vec<i16>) {
    let max_abs = weights
        .iter()
        .filter(|w| w.is_finite())
        .fold(0f32, |acc, w| acc.max(w.abs()));
    if max_abs == 0.0 {
        return (1.0, vec![0; weights.len()]);
    }
    let scale = max_abs / QUANT_MAX;
    let quantised = weights
        .iter()
        .map(|w| (w / scale).round().clamp(-QUANT_MAX, QUANT_MAX) as i16)
        .collect();
    (scale, quantised)
}

/// Reads a COLD-style CSV into `(text, is_offensive)` pairs, finding the
/// `TEXT` and `label` columns by header name (other columns are ignored; a
/// UTF-8 BOM is skipped). `label` must be `0` (safe) or `1` (offensive).
///
/// # Errors
/// `path: reason` for an unreadable file or missing column, `path:line:
/// reason` for the first malformed row.
pub fn read_cold_csv(path: impl AsRef<Path>) -> Result<Vec<(String, bool)>, String> {
    let path = path.as_ref();
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
    let data = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(data);
    let headers = reader
        .headers()
        .map_err(|e| format!("{shown}:1: bad header: {e}"))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| format!("{shown}:1: missing column {name:?} in header"))
    };
    let text_column = column("TEXT")?;
    let label_column = column("label")?;

    let mut examples = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            format!("{shown}:{line}: {e}")
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let text = record
            .get(text_column)
            .ok_or_else(|| format!("{shown}:{line}: row has no TEXT field"))?;
        let label = match record.get(label_column).map(str::trim) {
            Some("1") => true,
            Some("0") => false,
            Some(other) => {
                return Err(format!(
                    "{shown}:{line}: label {other:?} is not 0 (safe) or 1 (offensive)"
                ))
            }
            None => return Err(format!("{shown}:{line}: row has no label field")),
        };
        examples.push((text.to_owned(), label));
    }
    Ok(examples)
}

/// Classification figures with "offensive" as the positive class.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// Share of examples classified correctly.
    pub accuracy: f64,
    /// Of the texts flagged offensive, the share that are.
    pub precision: f64,
    /// Of the offensive texts, the share flagged.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of examples.
    pub n: usize,
}

impl Metrics {
    /// Computes the figures from `(predicted, actual)` pairs; a ratio with
    /// an empty denominator is 0.
    fn from_predictions(pairs: impl IntoIterator<Item = (bool, bool)>) -> Metrics {
        let (mut tp, mut fp, mut tn, mut fn_) = (0usize, 0usize, 0usize, 0usize);
        for pair in pairs {
            match pair {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, false) => tn += 1,
                (false, true) => fn_ += 1,
            }
        }
        let ratio = |num: usize, den: usize| {
            if den == 0 {
                0.0
            } else {
                num as f64 / den as f64
            }
        };
        let n = tp + fp + tn + fn_;
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Metrics {
            accuracy: ratio(tp + tn, n),
            precision,
            recall,
            f1,
            n,
        }
    }
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "n          {}", self.n)?;
        writeln!(f, "accuracy   {:.4}", self.accuracy)?;
        writeln!(f, "precision  {:.4}", self.precision)?;
        writeln!(f, "recall     {:.4}", self.recall)?;
        writeln!(f, "f1         {:.4}", self.f1)
    }
}

/// Scores every example with `model` and compares with its label.
pub fn evaluate(model: &AbuseModel, examples: &[(String, bool)]) -> Metrics {
    Metrics::from_predictions(
        examples
            .iter()
            .map(|(text, label)| (model.is_offensive(text), *label)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small hand-written training set: personal insults vs. shop talk.
    fn toy_examples() -> Vec<(String, bool)> {
        let offensive = [
            "你就是个傻逼",
            "滚你妈的",
            "你他妈有病吧",
            "傻逼客服听不懂人话",
            "去死吧你这个垃圾",
            "什么破店，垃圾东西，骗子",
        ];
        let neutral = [
            "亲，您的快递明天到哦",
            "您好，请问有什么可以帮您",
            "好的亲，已经给您备注了",
            "退款已经处理了，请注意查收",
            "这款是纯棉的，M码适合一米六",
            "感谢您的耐心等待，祝您生活愉快",
        ];
        offensive
            .iter()
            .map(|t| (t.to_string(), true))
            .chain(neutral.iter().map(|t| (t.to_string(), false)))
            .collect()
    }

    fn toy_options() -> TrainOptions {
        TrainOptions {
            bucket_bits: 12,
            provenance: "unit test: hand-written examples".to_owned(),
            ..TrainOptions::default()
        }
    }

    #[test]
    fn fold_char_maps_width_and_case_and_drops_spacing() {
        assert_eq!(fold_char('Ｓ'), Some('s' as u32));
        assert_eq!(fold_char('ｂ'), Some('b' as u32));
        assert_eq!(fold_char('！'), Some('!' as u32));
        assert_eq!(fold_char('Q'), Some('q' as u32));
        assert_eq!(fold_char('\u{3000}'), None);
        assert_eq!(fold_char(' '), None);
        assert_eq!(fold_char('\u{200B}'), None);
        assert_eq!(fold_char('傻'), Some('傻' as u32));
    }

    #[test]
    fn folded_variants_score_identically() {
        let model = train(&toy_examples(), &toy_options());
        assert_eq!(model.score("你个ＳＢ"), model.score("你个sb"));
        assert_eq!(model.score("傻 逼"), model.score("傻逼"));
        assert_ne!(model.score("傻逼"), model.score("傻瓜"));
    }

    #[test]
    fn ngram_count_includes_boundaries() {
        let config = FeatureConfig {
            min_n: 1,
            max_n: 2,
            bucket_bits: 12,
            length_norm: true,
            hash_seed: DEFAULT_HASH_SEED,
        };
        // ^ 傻 逼 $ : 4 unigrams and 3 bigrams.
        let mut buckets = Vec::new();
        assert_eq!(config.for_each_bucket("傻 逼", |b| buckets.push(b)), 7);
        assert!(buckets.iter().all(|&b| b < 1 << 12));
        // Empty text still has ^ and $ (and the ^$ bigram).
        assert_eq!(config.for_each_bucket("", |_| {}), 3);
    }

    #[test]
    fn toy_model_separates_its_training_data() {
        let model = train(&toy_examples(), &toy_options());
        let metrics = evaluate(&model, &toy_examples());
        assert_eq!(metrics.n, 12);
        assert_eq!(metrics.accuracy, 1.0);
        assert!(model.score("你就是个傻逼") > 0.5);
        assert!(model.score("亲，您的快递明天到哦") < 0.5);
    }

    #[test]
    fn training_is_deterministic() {
        let first = train(&toy_examples(), &toy_options()).to_bytes();
        let second = train(&toy_examples(), &toy_options()).to_bytes();
        assert_eq!(first, second);
        let reseeded = TrainOptions {
            seed: 7,
            ..toy_options()
        };
        assert_ne!(first, train(&toy_examples(), &reseeded).to_bytes());
    }

    #[test]
    fn save_load_round_trip_is_byte_identical() {
        let model = train(&toy_examples(), &toy_options());
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("abuse_model.bin");
        model.save(&path).expect("save");
        let loaded = AbuseModel::load(&path).expect("load");
        assert_eq!(loaded, model);
        assert_eq!(loaded.to_bytes(), std::fs::read(&path).expect("read back"));
        assert_eq!(loaded.provenance(), "unit test: hand-written examples");
        assert_eq!(loaded.bucket_count(), 4096);
        assert_eq!(loaded.ngram_range(), (1, 2));
        // 40-byte header + provenance + 2 bytes per bucket + 8-byte checksum.
        assert_eq!(model.to_bytes().len(), 40 + 32 + 2 * 4096 + 8);
    }

    #[test]
    fn corrupted_model_files_are_rejected_with_clear_errors() {
        let bytes = train(&toy_examples(), &toy_options()).to_bytes();

        let mut flipped = bytes.clone();
        flipped[200] ^= 0x40;
        let err = AbuseModel::from_bytes(&flipped).unwrap_err();
        assert!(err.contains("checksum mismatch"), "{err}");

        let mut bad_magic = bytes.clone();
        bad_magic[..8].copy_from_slice(b"NOTMODEL");
        let err = AbuseModel::from_bytes(&bad_magic).unwrap_err();
        assert!(err.starts_with("bad magic \"NOTMODEL\""), "{err}");

        let mut bad_version = bytes.clone();
        bad_version[8] = 9;
        let err = AbuseModel::from_bytes(&bad_version).unwrap_err();
        assert!(err.contains("unsupported model format version 9"), "{err}");

        let err = AbuseModel::from_bytes(&bytes[..bytes.len() - 1]).unwrap_err();
        assert!(err.contains("does not match its header"), "{err}");

        let err = AbuseModel::from_bytes(&bytes[..20]).unwrap_err();
        assert!(err.starts_with("truncated model file: 20 bytes"), "{err}");

        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("broken.bin");
        std::fs::write(&path, &flipped).expect("write");
        let err = AbuseModel::load(&path).unwrap_err();
        assert!(
            err.starts_with(&format!("{}: checksum", path.display())),
            "{err}"
        );
    }

    #[test]
    fn bundled_model_ranks_insults_above_service_text() {
        let model = AbuseModel::bundled().expect("bundled model parses");
        assert!(model.provenance().contains("thu-coai/COLDataset"));
        assert!(model.provenance().contains("Apache-2.0"));
        let neutral = model.score("亲，您的快递明天到哦");
        for insult in ["你就是个傻逼", "滚你妈的"] {
            let score = model.score(insult);
            assert!(score > neutral, "{insult}: {score} <= {neutral}");
        }
        assert!(model.is_offensive("你就是个傻逼"));
        assert!(!model.is_offensive("亲，您的快递明天到哦"));
        assert!(!model.is_offensive("好的亲，已经给您改好地址了"));
        // A group attack, COLD's core case, is flagged with confidence.
        assert!(model.score("你们这些乡下人就是素质低") > 0.9);
    }

    #[test]
    #[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
    fn bundled_model_reaches_dev_accuracy() {
        let dev = read_cold_csv(crate::shared_data::shared_data("offensive_cold/dev.csv"))
            .expect("dev.csv reads");
        assert_eq!(dev.len(), 6431);
        assert_eq!(dev.iter().filter(|(_, offensive)| *offensive).count(), 3211);
        let model = AbuseModel::bundled().expect("bundled model parses");
        let metrics = evaluate(model, &dev);
        assert!(metrics.accuracy >= 0.75, "{metrics}");
    }

    #[test]
    fn cold_csv_is_read_by_header_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("extra.csv");
        // BOM, columns reordered, an extra column, a quoted comma in TEXT.
        std::fs::write(
            &path,
            "\u{FEFF}TEXT,source,label\n\"你就是个傻逼，滚\",weibo,1\n亲，您的快递明天到哦,shop,0\n",
        )
        .expect("write");
        let rows = read_cold_csv(&path).expect("reads");
        assert_eq!(
            rows,
            vec![
                ("你就是个傻逼，滚".to_owned(), true),
                ("亲，您的快递明天到哦".to_owned(), false),
            ]
        );
    }

    #[test]
    fn cold_csv_errors_are_located() {
        let dir = tempfile::tempdir().expect("temp dir");
        let bad_label = dir.path().join("bad_label.csv");
        std::fs::write(
            &bad_label,
            ",split,topic,label,TEXT\n1,dev,race,1,甲\n2,dev,race,2,乙\n",
        )
        .expect("write");
        let err = read_cold_csv(&bad_label).unwrap_err();
        assert_eq!(
            err,
            format!(
                "{}:3: label \"2\" is not 0 (safe) or 1 (offensive)",
                bad_label.display()
            )
        );

        let no_text = dir.path().join("no_text.csv");
        std::fs::write(&no_text, "label,content\n1,甲\n").expect("write");
        let err = read_cold_csv(&no_text).unwrap_err();
        assert_eq!(
            err,
            format!("{}:1: missing column \"TEXT\" in header", no_text.display())
        );

        let short_row = dir.path().join("short_row.csv");
        std::fs::write(&short_row, "label,TEXT\n1,甲\n0\n").expect("write");
        let err = read_cold_csv(&short_row).unwrap_err();
        assert!(
            err.starts_with(&format!("{}:3: ", short_row.display())),
            "{err}"
        );
    }

    #[test]
    fn metrics_follow_the_confusion_matrix() {
        // 3 TP, 1 FP, 4 TN, 2 FN.
        let pairs = [(true, true); 3]
            .into_iter()
            .chain([(true, false)])
            .chain([(false, false); 4])
            .chain([(false, true); 2]);
        let m = Metrics::from_predictions(pairs);
        assert_eq!(m.n, 10);
        assert!((m.accuracy - 0.7).abs() < 1e-12);
        assert!((m.precision - 0.75).abs() < 1e-12);
        assert!((m.recall - 0.6).abs() < 1e-12);
        assert!((m.f1 - 2.0 / 3.0).abs() < 1e-12);
        let json = serde_json::to_value(m).expect("serialises");
        assert_eq!(json["n"], 10);
        assert_eq!(json["accuracy"], 0.7);
        assert!(m.to_string().contains("precision  0.7500"));
        assert_eq!(Metrics::from_predictions([]).f1, 0.0);
    }
}
