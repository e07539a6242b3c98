//! Build regorus values straight from the model's `Serialize` impls, without writing and
//! re-parsing JSON text (which cost more than most rules). The result is the same value
//! `regorus::Value::from_json_str(serde_json::to_string(x))` would give.

use regorus::Value;
use serde::ser::{self, Serialize};
use std::collections::BTreeMap;

/// Convert any serialisable value into a regorus value.
pub fn to_value<T: Serialize + ?Sized>(v: &T) -> Result<Value, Error> {
    v.serialize(ValueSerializer)
}

#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Error {}
impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

#[derive(Clone, Copy)]
struct ValueSerializer;

/// A multiplicative hash for keys that are pointers and small integers (SipHash costs more than
/// the allocation these caches save).
#[derive(Default)]
struct FastHash(u64);

impl std::hash::Hasher for FastHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type Fast<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHash>>;

/// One struct shape: its field names (as pointers, in declaration order), their key values,
/// and an object with those keys and null values in regorus's compact sorted storage.
struct Shape {
    /// Unique per thread, for the memo.
    id: usize,
    names: Vec<usize>,
    keys: Vec<Value>,
    template: regorus::value::Object,
}

/// Small structs of short scalars seen before (e.g. the many `{at: null, days_ago: null,
/// quality: "absent"}` timestamps) are shared rather than rebuilt; at most this many per thread.
const MEMO_LIMIT: usize = 4096;

type Memo = Fast<u64, Vec<(usize, Vec<Value>, Value)>>;

#[derive(Default)]
struct Caches {
    keys: Fast<(usize, usize), Value>,
    shapes: Fast<(usize, usize), Vec<Shape>>,
    memo: Memo,
    memo_len: usize,
    shape_count: usize,
}

thread_local! {
    static CACHES: std::cell::RefCell<Caches> = std::cell::RefCell::new(Caches::default());
}

/// A field name's string value, built once per thread (a reference-count increment instead of
/// an allocation and copy per field per record).
fn static_key(key: &'static str) -> Value {
    CACHES.with(|c| cached_key(&mut c.borrow_mut().keys, key))
}

fn cached_key(keys: &mut Fast<(usize, usize), Value>, key: &'static str) -> Value {
    keys.entry((key.as_ptr() as usize, key.len()))
        .or_insert_with(|| Value::from(key))
        .clone()
}

/// A hash of the field values when they are few short scalars (worth sharing), else None.
fn memo_hash(fields: &[(&'static str, Value)]) -> Option<u64> {
    use std::hash::Hasher;
    if fields.len() > 8 {
        return None;
    }
    let mut h = FastHash::default();
    for (_, v) in fields {
        match v {
            Value::Null => h.write_u64(1),
            Value::Bool(b) => h.write_u64(2 + *b as u64),
            Value::String(s) if s.len() <= 16 => {
                h.write_u64(4);
                h.write(s.as_bytes());
            }
            Value::Array(a) if a.is_empty() => h.write_u64(5),
            _ => return None,
        }
    }
    Some(h.finish())
}

/// A struct's object value: shared when an equal small one was built before, otherwise filled
/// from its shape's template (one allocation for the entries instead of a `BTreeMap` build and
/// a freeze).
fn struct_value(name: &'static str, fields: Vec<(&'static str, Value)>) -> Value {
    CACHES.with(|c| {
        let mut c = c.borrow_mut();
        let c = &mut *c;
        let same_names = |names: &[usize]| {
            names.len() == fields.len()
                && names
                    .iter()
                    .zip(&fields)
                    .all(|(n, (f, _))| *n == f.as_ptr() as usize)
        };
        let shapes = c
            .shapes
            .entry((name.as_ptr() as usize, fields.len()))
            .or_default();
        let at = match shapes.iter().position(|s| same_names(&s.names)) {
            Some(at) => at,
            None => {
                let keys: Vec<Value> = fields
                    .iter()
                    .map(|(k, _)| cached_key(&mut c.keys, k))
                    .collect();
                let blank: BTreeMap<Value, Value> =
                    keys.iter().map(|k| (k.clone(), Value::Null)).collect();
                let template = match Value::from(blank) {
                    Value::Object(o) => (*o).clone(),
                    _ => regorus::value::Object::new(),
                };
                c.shape_count += 1;
                shapes.push(Shape {
                    id: c.shape_count,
                    names: fields.iter().map(|(k, _)| k.as_ptr() as usize).collect(),
                    keys,
                    template,
                });
                shapes.len() - 1
            }
        };
        let shape_id = shapes[at].id;
        let memo_key = memo_hash(&fields).map(|h| h ^ shape_id as u64);
        if let Some(k) = memo_key {
            let hit = c.memo.get(&k).and_then(|list| {
                list.iter().find(|(id, vals, _)| {
                    *id == shape_id && vals.iter().zip(&fields).all(|(a, (_, b))| a == b)
                })
            });
            if let Some((_, _, v)) = hit {
                return v.clone();
            }
        }
        let shape = &shapes[at];
        let mut object = shape.template.clone();
        let remember: Option<Vec<Value>> = (memo_key.is_some() && c.memo_len < MEMO_LIMIT)
            .then(|| fields.iter().map(|(_, v)| v.clone()).collect());
        // Every key is in the template: values are replaced in place and the storage stays
        // compact. A field name repeated would only overwrite, as in JSON.
        for (key, (_, v)) in shape.keys.iter().zip(fields) {
            object.insert(key.clone(), v);
        }
        let value = Value::from(object);
        if let (Some(k), Some(vals)) = (memo_key, remember) {
            c.memo
                .entry(k)
                .or_default()
                .push((shape_id, vals, value.clone()));
            c.memo_len += 1;
        }
        value
    })
}

pub struct SeqBuilder(Vec<Value>);
pub struct MapBuilder {
    map: BTreeMap<Value, Value>,
    /// Struct fields in declaration order (structs only; see [`struct_value`]).
    fields: Vec<(&'static str, Value)>,
    /// The struct's name (None: a map).
    name: Option<&'static str>,
    /// The pending key.
    key: Option<Value>,
}
pub struct VariantBuilder {
    name: &'static str,
    inner: SeqBuilder,
}
pub struct StructVariantBuilder {
    name: &'static str,
    inner: MapBuilder,
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = StructVariantBuilder;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(Value::from(v as i64))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(Value::from(v as i64))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(Value::from(v as i64))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(Value::from(v as u64))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(Value::from(v as u64))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(Value::from(v as u64))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        Ok(Value::from(v as f64))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::from(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::from(
            v.iter().map(|b| Value::from(*b as u64)).collect::<Vec<_>>(),
        ))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Value, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        // Enum names (kind, status, quality) repeat on every record: share one value each.
        Ok(static_key(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Value, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Value, Error> {
        let mut map = BTreeMap::new();
        map.insert(Value::from(variant), v.serialize(self)?);
        Ok(Value::from(map))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqBuilder, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder, Error> {
        Ok(VariantBuilder {
            name: variant,
            inner: SeqBuilder(Vec::with_capacity(len)),
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapBuilder, Error> {
        Ok(MapBuilder {
            map: BTreeMap::new(),
            fields: Vec::new(),
            name: None,
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<MapBuilder, Error> {
        Ok(MapBuilder {
            map: BTreeMap::new(),
            fields: Vec::with_capacity(len),
            name: Some(name),
            key: None,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<StructVariantBuilder, Error> {
        Ok(StructVariantBuilder {
            name: variant,
            inner: MapBuilder {
                map: BTreeMap::new(),
                fields: Vec::new(),
                name: None,
                key: None,
            },
        })
    }
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.0.push(v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::from(self.0))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for VariantBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(&mut self.inner, v)
    }
    fn end(self) -> Result<Value, Error> {
        let mut map = BTreeMap::new();
        map.insert(Value::from(self.name), Value::from(self.inner.0));
        Ok(Value::from(map))
    }
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Error> {
        // JSON object keys are strings: render non-string keys as JSON does.
        let key = match k.serialize(ValueSerializer)? {
            s @ Value::String(_) => s,
            other => Value::from(serde_json::to_string(&other).map_err(|e| Error(e.to_string()))?),
        };
        self.key = Some(key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error("map value without a key".into()))?;
        self.map.insert(key, v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::from(self.map))
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        let value = v.serialize(ValueSerializer)?;
        match self.name {
            Some(_) => self.fields.push((key, value)),
            None => {
                self.map.insert(static_key(key), value);
            }
        }
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        match self.name {
            Some(name) => Ok(struct_value(name, self.fields)),
            None => Ok(Value::from(self.map)),
        }
    }
}

impl ser::SerializeStructVariant for StructVariantBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, v)
    }
    fn end(self) -> Result<Value, Error> {
        let mut map = BTreeMap::new();
        map.insert(Value::from(self.name), Value::from(self.inner.map));
        Ok(Value::from(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Human,
    }

    #[derive(serde::Serialize)]
    struct Sample {
        a: Option<bool>,
        b: Option<i64>,
        c: Vec<String>,
        kind: Kind,
        #[serde(skip_serializing_if = "Option::is_none")]
        d: Option<u8>,
        m: BTreeMap<String, String>,
        f: f64,
    }

    #[test]
    fn same_value_as_the_json_route() {
        let s = Sample {
            a: None,
            b: Some(-3),
            c: vec!["x".into()],
            kind: Kind::Human,
            d: None,
            m: [("k".into(), "v".into())].into(),
            f: 1.5,
        };
        let direct = to_value(&s).unwrap();
        let via_json = Value::from_json_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(direct, via_json);
    }

    #[test]
    fn whole_identities_match_the_json_route() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/demo/estate.toml"
        ))
        .unwrap();
        assert!(!text.is_empty());
        let estate = crate::estate::Estate::discover(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/demo"
        )))
        .unwrap();
        let params = std::collections::BTreeMap::new();
        for t in &estate.tenants {
            if let crate::audit::Loaded::Ready(job, _) =
                crate::audit::load_tenant(&estate, t, &params, estate.as_of.unwrap(), false)
            {
                let direct = to_value(&job.model.identities).unwrap();
                let via_json =
                    Value::from_json_str(&serde_json::to_string(&job.model.identities).unwrap())
                        .unwrap();
                assert_eq!(direct, via_json, "{}", t.id);
            }
        }
    }
}
