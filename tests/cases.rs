//! The shared case tables (`tests/cases/*.json`) against the core, natively. The npm
//! package's tests feed the same tables to its `ReSocket` in Node and in three browsers
//! (`tests/js/cases.js`), so a rule that both faces apply cannot answer differently in
//! one of them.

use resocket::core::close;
use resocket::core::redact_url;
use resocket::core::rules::{self, from_slots, SLOTS};
use resocket::Error;
use serde_json::{Map, Value};

fn table(text: &str) -> Value {
    serde_json::from_str(text).expect("a case table is JSON")
}

/// Whether a case runs on the native face (`faces` absent, or naming `rust`).
fn native(case: &Value) -> bool {
    case.get("faces")
        .and_then(Value::as_array)
        .is_none_or(|f| f.iter().any(|x| x == "rust"))
}

/// The cases of a table that run on the native face.
fn native_cases(t: &Value) -> impl Iterator<Item = &Value> {
    t["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| native(c))
}

#[test]
fn urls_are_redacted_as_the_table_says() {
    let t = table(include_str!("cases/urls.json"));
    let cases = t["cases"].as_array().expect("cases");
    assert!(cases.len() >= 20);
    for case in cases {
        let url = case["url"].as_str().expect("url");
        let redacted = redact_url(url);
        assert_eq!(
            redacted,
            case["redacted"].as_str().expect("redacted"),
            "{url}"
        );
        for secret in case["secrets"].as_array().into_iter().flatten() {
            let secret = secret.as_str().expect("a secret is a string");
            assert!(
                !redacted.contains(secret),
                "{url}: {redacted} shows {secret}"
            );
        }
    }
}

#[test]
fn close_arguments_are_checked_as_the_table_says() {
    let t = table(include_str!("cases/close.json"));
    let mut ran = 0;
    for case in native_cases(&t) {
        let code = case.get("code").map_or(1000, |c| {
            u16::try_from(c.as_u64().expect("a native case's code is a u16")).expect("u16")
        });
        let reason = case
            .get("reason")
            .map_or("", |r| r.as_str().expect("reason"));
        let result = close::validate(code, reason);
        let want = case["error"].as_str();
        assert_eq!(result.as_ref().err().map(Error::code), want, "{case}");
        if let (Err(e), Some(message)) = (&result, case["message"].as_str()) {
            assert_eq!(e.to_string(), message, "{case}");
        }
        ran += 1;
    }
    assert!(ran >= 15, "only {ran} native close cases");
}

/// The options of a case as the npm package hands them to the core (its options.js):
/// numbers in the slots of `fields` (NaN: not given; booleans 0/1; `null` limits -1;
/// `reconnect: false` and `heartbeat: false` 0, a heartbeat object 1; `pong: null` 0 and a
/// pong text 1; `overflow` 0 for "reject", 1 for "drop-oldest"), the heartbeat's texts and
/// the subprotocols.
type Slots = (Vec<f64>, Option<String>, Option<String>, Vec<String>);

fn slots(fields: &[String], options: &Map<String, Value>) -> Slots {
    let mut nums = vec![f64::NAN; SLOTS];
    let (mut ping, mut pong, mut protocols) = (None, None, Vec::new());
    let at = |name: &str| fields.iter().position(|f| f == name).expect(name);
    let num = |v: &Value| match v {
        Value::Null => -1.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().expect("a number"),
        other => panic!("not a slot value: {other}"),
    };
    for (key, value) in options {
        match (key.as_str(), value) {
            ("reconnect" | "heartbeat" | "delivery", Value::Bool(false)) => nums[at(key)] = 0.0,
            ("protocols", Value::String(p)) => protocols = vec![p.clone()],
            ("protocols", Value::Array(list)) => {
                protocols = list
                    .iter()
                    .map(|p| p.as_str().expect("a protocol").to_owned())
                    .collect()
            }
            (group @ ("reconnect" | "queue" | "heartbeat" | "delivery"), Value::Object(inner)) => {
                if group == "heartbeat" || group == "delivery" {
                    nums[at(group)] = 1.0;
                }
                for (k, v) in inner {
                    let name = format!("{group}.{k}");
                    match (name.as_str(), v) {
                        ("reconnect.stopCodes", Value::Array(codes)) => {
                            nums[at(&name)] = num(&codes[0]);
                            nums[at(&name) + 1] = num(&codes[1]);
                        }
                        ("queue.overflow", Value::String(s)) => {
                            nums[at(&name)] = f64::from(u8::from(s == "drop-oldest"))
                        }
                        ("heartbeat.ping", Value::String(s)) => ping = Some(s.clone()),
                        ("heartbeat.pong", Value::String(s)) => {
                            pong = Some(s.clone());
                            nums[at(&name)] = 1.0;
                        }
                        ("heartbeat.pong", Value::Null) => nums[at(&name)] = 0.0,
                        _ => nums[at(&name)] = num(v),
                    }
                }
            }
            _ => nums[at(key)] = num(value),
        }
    }
    (nums, ping, pong, protocols)
}

#[test]
fn options_follow_the_table() {
    let t = table(include_str!("cases/options.json"));
    let fields: Vec<String> = serde_json::from_value(t["fields"].clone()).expect("fields");
    // The table's field order is the core's.
    for (i, name) in fields.iter().enumerate().take(SLOTS) {
        let field = rules::field(i).expect("a slot's field");
        assert_eq!(field as usize, i, "{name}");
    }
    assert_eq!(fields[rules::Field::Protocols as usize], "protocols");
    let mut ran = 0;
    for case in native_cases(&t) {
        let options = case["options"].as_object().expect("options");
        let (nums, ping, pong, protocols) = slots(&fields, options);
        let result = from_slots(&nums, ping, pong, protocols);
        match (&result, case["error"].as_object()) {
            (Ok(config), None) => assert_eq!(config.validate(), Ok(()), "{case}"),
            (Err(invalid), Some(want)) => {
                assert_eq!(fields[invalid.field as usize], want["option"], "{case}");
                let rule = format!("{:?}", invalid.rule);
                let want_rule = want["rule"].as_str().expect("rule");
                assert!(rule.starts_with(want_rule), "{case}: {rule}");
            }
            (got, _) => panic!("{case}: got {got:?}"),
        }
        ran += 1;
    }
    assert!(ran >= 40, "only {ran} native option cases");
}

#[test]
fn the_rust_face_words_option_errors_with_its_own_names() {
    let t = table(include_str!("cases/options.json"));
    let fields: Vec<String> = serde_json::from_value(t["fields"].clone()).expect("fields");
    let options = serde_json::json!({ "reconnect": { "initialDelay": 40000 } });
    let (nums, ping, pong, protocols) = slots(&fields, options.as_object().expect("object"));
    let invalid = from_slots(&nums, ping, pong, protocols).expect_err("refused");
    let e: Error = invalid.to_error(&[]);
    assert_eq!(
        e.to_string(),
        "invalid option `reconnect`: initial_delay_ms (40000) must not exceed max_delay_ms (30000)"
    );
}

/// The id or acknowledgement a case expects, as the core's values.
fn case_id(v: &Value) -> resocket::Id {
    match v {
        Value::String(s) => resocket::Id::text(s).expect("a text id"),
        n => resocket::Id::int(n.as_u64().expect("a numeric id")).expect("an id"),
    }
}

#[test]
fn the_json_shortcut_reads_ids_and_acks_as_the_table_says() {
    use resocket::{Ack, Delivery, Message};
    let t = table(include_str!("cases/acks.json"));
    let d = Delivery::json();
    let mut ran = 0;
    for case in t["outbound"].as_array().expect("outbound") {
        let m = Message::Text(case["text"].as_str().expect("text").to_owned());
        let got = d.read_id(&m);
        match &case["id"] {
            Value::Null => assert_eq!(got, Ok(None), "{case}"),
            Value::String(s) if s == "invalid" => assert!(got.is_err(), "{case}: {got:?}"),
            want => assert_eq!(got, Ok(Some(case_id(want))), "{case}"),
        }
        ran += 1;
    }
    for case in t["inbound"].as_array().expect("inbound") {
        let m = Message::Text(case["text"].as_str().expect("text").to_owned());
        let want = match &case["ack"] {
            Value::Null => None,
            a if a.get("through").is_some() => {
                Some(Ack::Through(a["through"].as_u64().expect("n")))
            }
            a => Some(Ack::Id(case_id(&a["id"]))),
        };
        assert_eq!(d.read_ack(&m), want, "{case}");
        ran += 1;
    }
    // Binary frames are never read.
    assert_eq!(
        d.read_id(&Message::Binary(br#"{"id":7}"#.to_vec())),
        Ok(None)
    );
    assert_eq!(d.read_ack(&Message::Binary(br#"{"ack":7}"#.to_vec())), None);
    assert!(ran >= 30, "{ran} cases");
}
