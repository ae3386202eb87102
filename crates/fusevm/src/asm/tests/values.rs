//! Value literals: exact round trips (floats by bits) and the documented text forms.

use super::{assert_value_eq, interesting_values, nan_with_payload};
use crate::asm::{format_value, parse_value};
use crate::Value;

#[test]
fn value_literals_round_trip_exactly() {
    for v in interesting_values() {
        let text = format_value(&v);
        let back = parse_value(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_value_eq(&v, &back, &text);
    }
}

#[test]
fn value_literals_have_the_documented_forms() {
    let cases: [(Value, &str); 12] = [
        (Value::Undef, "undef"),
        (Value::Bool(true), "true"),
        (Value::Int(-5), "-5"),
        (Value::Float(1.0), "1.0"),
        (Value::Float(-0.0), "-0.0"),
        (Value::Float(1e21), "1e21"),
        (Value::Float(f64::NEG_INFINITY), "-inf"),
        (Value::Float(nan_with_payload()), "bits(0x7ff8000000000001)"),
        (
            Value::str("a\"b\\c\n\t\0\u{1}é"),
            "\"a\\\"b\\\\c\\n\\t\\0\\u{1}é\"",
        ),
        (Value::Status(3), "status(3)"),
        (Value::NativeFn(2), "native(2)"),
        (
            Value::Ref(Box::new(Value::array(vec![Value::Int(1), Value::Undef]))),
            "ref([1, undef])",
        ),
    ];
    for (v, text) in cases {
        assert_eq!(format_value(&v), text);
    }
    let hash = parse_value("{\"b\": 1, \"a\": [true, undef],}").unwrap();
    assert_eq!(format_value(&hash), "{\"a\": [true, undef], \"b\": 1}");
    assert_eq!(parse_value("0x10"), Ok(Value::Int(16)));
    assert_eq!(parse_value(" -7 "), Ok(Value::Int(-7)));
    assert_eq!(parse_value("2.5"), Ok(Value::Float(2.5)));
    assert_eq!(parse_value("inf"), Ok(Value::Float(f64::INFINITY)));
    assert!(matches!(parse_value("NaN"), Ok(Value::Float(f)) if f.is_nan()));
    assert_eq!(parse_value("\"\\u{1F600}\""), Ok(Value::str("\u{1F600}")));
    assert_eq!(parse_value("[]"), Ok(Value::array(vec![])));
    assert!(parse_value("9223372036854775808")
        .unwrap_err()
        .contains("does not fit in i64"));
    assert!(parse_value("1 2")
        .unwrap_err()
        .starts_with("column 3: expected the end of the value"));
    assert!(parse_value("").is_err());
    assert!(parse_value("status(2147483648)").is_err());
}
