//! The metadata at the start of a GGUF file (llama.cpp), read from the first bytes only: the
//! `general.*` keys that name the base models, license, quantization type and sources. A GGUF
//! file is gigabytes; its `general.*` keys come first, so a prefix of a few hundred kilobytes is
//! enough. Reading stops at the first key after the `general.*` ones, at the end of the prefix,
//! or at anything malformed, and keeps what it had: a truncated or hostile header gives less,
//! never a panic or an allocation larger than the prefix.
//!
//! Layout (GGUF v1–v3, little-endian): magic `GGUF`, version `u32`, tensor count and key count
//! (`u64`; `u32` in v1), then each key as a string (length `u64`, `u32` in v1) and a typed value
//! (`u32` type: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string, 9 array of a
//! type and count, 10 u64, 11 i64, 12 f64).
//!
//! Hand-written on purpose: the GGUF crates read whole files (tensor infos included) from a
//! path, and this reader must work on a prefix fetched by an HTTP Range request.

use super::{hub_ref, FileRef};

/// A value of the header.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Any integer type (and booleans as 0/1 are kept as [`Value::Bool`]).
    Int(i128),
    /// `f32` or `f64`.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A string (invalid UTF-8 replaced).
    Str(String),
    /// An array.
    Array(Vec<Value>),
}

/// The header's `general.*` keys, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    /// The GGUF version.
    pub version: u32,
    /// `(key, value)` of the keys read.
    pub metadata: Vec<(String, Value)>,
    /// Whether every `general.*` key was read (false when the prefix ended or broke first).
    pub complete: bool,
}

/// A base model as the header names it (`general.base_model.N.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaseModel {
    /// `name`.
    pub name: Option<String>,
    /// `organization`.
    pub organization: Option<String>,
    /// `repo_url`.
    pub repo_url: Option<String>,
    /// `version`.
    pub version: Option<String>,
}

impl BaseModel {
    /// The Hub repo it names: its `repo_url` when that is a Hub URL, else nothing (a name and
    /// an organization are display text, not an id).
    pub fn hub(&self) -> Option<FileRef> {
        self.repo_url.as_deref().and_then(hub_ref)
    }
}

/// Strings longer than this are not kept (the keys this reader wants are short).
const MAX_STRING: u64 = 64 * 1024;
/// Arrays longer than this are not kept.
const MAX_ARRAY: u64 = 4096;

/// Reads the header from the first bytes of a GGUF file; `None` when they are not a GGUF file.
pub fn read_header(bytes: &[u8]) -> Option<Header> {
    let mut r = Reader { b: bytes, at: 0 };
    if r.take(4)? != b"GGUF" {
        return None;
    }
    let version = r.u32()?;
    if !(1..=3).contains(&version) {
        return None;
    }
    let wide = version >= 2;
    let mut h = Header {
        version,
        ..Header::default()
    };
    let _tensors = r.count(wide)?;
    let keys = r.count(wide)?;
    let mut seen_general = false;
    for _ in 0..keys {
        let Some(key) = r.string(wide) else {
            return Some(h);
        };
        if !key.starts_with("general.") {
            // The general keys are over: the rest (tokenizer vocabularies…) is not read.
            h.complete = seen_general || h.complete;
            if seen_general {
                return Some(h);
            }
        } else {
            seen_general = true;
        }
        let Some(ty) = r.u32() else {
            return Some(h);
        };
        match r.value(ty, wide, 0) {
            Some(Some(v)) if key.starts_with("general.") => h.metadata.push((key, v)),
            Some(_) => {}
            None => return Some(h),
        }
    }
    h.complete = true;
    Some(h)
}

impl Header {
    /// A key's value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A key's value as text (strings; numbers written out).
    pub fn text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Array(_) => None,
        }
    }

    /// A key's value as an integer.
    pub fn int(&self, key: &str) -> Option<i128> {
        match self.get(key)? {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The base models (`general.base_model.count` and `general.base_model.N.*`).
    pub fn base_models(&self) -> Vec<BaseModel> {
        let n = self
            .int("general.base_model.count")
            .unwrap_or(0)
            .clamp(0, 64);
        (0..n)
            .map(|i| {
                let k = |f: &str| self.text(&format!("general.base_model.{i}.{f}"));
                BaseModel {
                    name: k("name"),
                    organization: k("organization"),
                    repo_url: k("repo_url"),
                    version: k("version"),
                }
            })
            .collect()
    }

    /// The datasets (`general.dataset.N.repo_url`) that are Hub repos.
    pub fn datasets(&self) -> Vec<FileRef> {
        let n = self.int("general.dataset.count").unwrap_or(0).clamp(0, 64);
        (0..n)
            .filter_map(|i| self.text(&format!("general.dataset.{i}.repo_url")))
            .filter_map(|u| hub_ref(&u))
            .collect()
    }

    /// The repo the weights were converted from (`general.source.repo_url`), when a Hub repo.
    pub fn source(&self) -> Option<FileRef> {
        self.text("general.source.repo_url")
            .and_then(|u| hub_ref(&u))
    }

    /// `general.license`.
    pub fn license(&self) -> Option<String> {
        self.text("general.license")
    }

    /// The quantization type (`general.file_type`) by llama.cpp's name for it (`Q4_K_M`).
    pub fn file_type(&self) -> Option<&'static str> {
        file_type_name(self.int("general.file_type")?)
    }
}

/// llama.cpp's names of `general.file_type` values (`llama_ftype`); 4–6 and 33–35 were removed
/// from the format.
pub fn file_type_name(t: i128) -> Option<&'static str> {
    const NAMES: [(i128, &str); 36] = [
        (0, "F32"),
        (1, "F16"),
        (2, "Q4_0"),
        (3, "Q4_1"),
        (7, "Q8_0"),
        (8, "Q5_0"),
        (9, "Q5_1"),
        (10, "Q2_K"),
        (11, "Q3_K_S"),
        (12, "Q3_K_M"),
        (13, "Q3_K_L"),
        (14, "Q4_K_S"),
        (15, "Q4_K_M"),
        (16, "Q5_K_S"),
        (17, "Q5_K_M"),
        (18, "Q6_K"),
        (19, "IQ2_XXS"),
        (20, "IQ2_XS"),
        (21, "Q2_K_S"),
        (22, "IQ3_XS"),
        (23, "IQ3_XXS"),
        (24, "IQ1_S"),
        (25, "IQ4_NL"),
        (26, "IQ3_S"),
        (27, "IQ3_M"),
        (28, "IQ2_S"),
        (29, "IQ2_M"),
        (30, "IQ4_XS"),
        (31, "IQ1_M"),
        (32, "BF16"),
        (36, "TQ1_0"),
        (37, "TQ2_0"),
        (38, "MXFP4_MOE"),
        (39, "NVFP4"),
        (40, "Q1_0"),
        (41, "Q2_0"),
    ];
    NAMES.iter().find(|(k, _)| *k == t).map(|(_, n)| *n)
}

/// A cursor over the prefix: every read is bounds-checked and gives `None` past the end.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: u64) -> Option<&[u8]> {
        let n = usize::try_from(n).ok()?;
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    fn fixed<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N as u64)?.try_into().ok()
    }

    fn u32(&mut self) -> Option<u32> {
        self.fixed().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.fixed().map(u64::from_le_bytes)
    }

    /// A count or length: `u64` from v2 on, `u32` in v1.
    fn count(&mut self, wide: bool) -> Option<u64> {
        match wide {
            true => self.u64(),
            false => self.u32().map(u64::from),
        }
    }

    fn string(&mut self, wide: bool) -> Option<String> {
        let n = self.count(wide)?;
        let s = self.take(n)?;
        Some(String::from_utf8_lossy(s).into_owned())
    }

    /// One value of type `ty`: `Some(Some(v))` read and kept, `Some(None)` read past (too long
    /// to keep), `None` when the prefix ends or the type is unknown.
    fn value(&mut self, ty: u32, wide: bool, depth: u8) -> Option<Option<Value>> {
        let int = |v: i128| Some(Some(Value::Int(v)));
        match ty {
            0 => int(self.fixed::<1>().map(|b| b[0])?.into()),
            1 => int(self.fixed::<1>().map(|b| b[0] as i8)?.into()),
            2 => int(self.fixed().map(u16::from_le_bytes)?.into()),
            3 => int(self.fixed().map(i16::from_le_bytes)?.into()),
            4 => int(self.u32()?.into()),
            5 => int(self.fixed().map(i32::from_le_bytes)?.into()),
            6 => Some(Some(Value::Float(
                self.fixed().map(f32::from_le_bytes)?.into(),
            ))),
            7 => Some(Some(Value::Bool(self.fixed::<1>()?[0] != 0))),
            8 => {
                let n = self.count(wide)?;
                let s = self.take(n)?;
                Some((n <= MAX_STRING).then(|| Value::Str(String::from_utf8_lossy(s).into_owned())))
            }
            9 if depth < 2 => {
                let inner = self.u32()?;
                let n = self.count(wide)?;
                let mut items = Vec::new();
                for _ in 0..n {
                    let v = self.value(inner, wide, depth + 1)?;
                    if n <= MAX_ARRAY {
                        items.extend(v);
                    }
                }
                Some((n <= MAX_ARRAY).then_some(Value::Array(items)))
            }
            10 => int(self.u64()?.into()),
            11 => int(self.fixed().map(i64::from_le_bytes)?.into()),
            12 => Some(Some(Value::Float(self.fixed().map(f64::from_le_bytes)?))),
            _ => None,
        }
    }
}
