//! A small client of the Open Inference Protocol's REST binding (KServe V2), the protocol
//! KServe, Seldon MLServer and Triton speak: readiness and one inference request.
//!
//! Readiness waits on the model, not only the server: MLServer answers `/v2/health/ready` with
//! 200 before any model is loaded (see `/work/shared/DEPENDENCIES.md`).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use modelci_ci::bounded::{MAX_ANSWER_BYTES, MAX_ERROR_BODY_BYTES, read_at_most, read_start};

use crate::OipError;

/// How long one HTTP request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause between readiness probes.
const POLL: Duration = Duration::from_millis(300);

/// One model on one server.
#[derive(Debug)]
pub struct Client {
    http: reqwest::blocking::Client,
    base: String,
    model: String,
}

/// One output of an inference answer: its name, datatype and values (flattened).
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// Output name (`predict`, `predict_proba`, `probabilities`, ...).
    pub name: String,
    /// Datatype as the server names it (`FP32`, `INT64`, `BYTES`, ...).
    pub datatype: String,
    /// The values, row-major.
    pub values: Vec<f64>,
}

impl Client {
    /// A client for model `model` at server `base` (`http://HOST:PORT`, no trailing `/v2`).
    ///
    /// # Errors
    /// [`OipError::Protocol`] when the HTTP client cannot be built.
    pub fn new(base: &str, model: &str) -> Result<Self, OipError> {
        let http = reqwest::blocking::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| OipError::Protocol {
                url: base.to_owned(),
                message: modelci_notify::http::describe(&e),
            })?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            model: model.to_owned(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Waits until `GET /v2/health/ready` and `GET /v2/models/{name}/ready` both answer 200.
    ///
    /// # Errors
    /// [`OipError::Unreachable`] when no connection was ever made within `timeout`,
    /// [`OipError::NotReady`] when the server answered but the model never became ready.
    pub fn wait_ready(&self, timeout: Duration) -> Result<(), OipError> {
        let deadline = Instant::now() + timeout;
        let server = self.url("/v2/health/ready");
        let model = self.url(&format!("/v2/models/{}/ready", self.model));
        let mut connected = false;
        loop {
            let mut last = String::new();
            let mut ready = true;
            for url in [&server, &model] {
                // A silent server must not hold a probe past the deadline (`--ready-timeout`).
                let left = deadline
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(100))
                    .min(REQUEST_TIMEOUT);
                match self.http.get(url.as_str()).timeout(left).send() {
                    Ok(resp) if resp.status().is_success() => connected = true,
                    Ok(resp) => {
                        connected = true;
                        last = format!("{url} answered {}", resp.status());
                        ready = false;
                        break;
                    }
                    Err(e) => {
                        last = modelci_notify::http::describe(&e);
                        ready = false;
                        break;
                    }
                }
            }
            if ready {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(if connected {
                    OipError::NotReady {
                        url: model,
                        seconds: timeout.as_secs(),
                        last,
                    }
                } else {
                    OipError::Unreachable {
                        url: server,
                        seconds: timeout.as_secs(),
                        message: last,
                    }
                });
            }
            std::thread::sleep(POLL);
        }
    }

    /// Sends `body`, a prepared inference request (`{"inputs": [...]}`), and returns how long
    /// the server took to give a valid inference response (an `outputs` list).
    ///
    /// # Errors
    /// [`OipError`] for a transport failure, a non-200 answer (its text, shortened), or an
    /// answer that is not an inference response.
    pub fn infer_body(&self, body: &Value) -> Result<Duration, OipError> {
        let (answer, elapsed, url) = self.post(body)?;
        if answer.get("outputs").and_then(Value::as_array).is_none() {
            return Err(OipError::Protocol {
                url,
                message: "the answer has no `outputs` array".into(),
            });
        }
        Ok(elapsed)
    }

    /// POSTs `body` to the model's infer URL; the JSON answer, the time to it, and the URL.
    fn post(&self, body: &Value) -> Result<(Value, Duration, String), OipError> {
        let url = self.url(&format!("/v2/models/{}/infer", self.model));
        let started = Instant::now();
        let resp = self
            .http
            .post(url.as_str())
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .map_err(|e| OipError::Unreachable {
                url: url.clone(),
                seconds: 0,
                message: modelci_notify::http::describe(&e),
            })?;
        let status = resp.status();
        if !status.is_success() {
            let text = read_start(resp, MAX_ERROR_BODY_BYTES);
            return Err(OipError::Http {
                url,
                status: status.as_u16(),
                body: shorten(&text),
            });
        }
        let bytes = read_at_most(resp, MAX_ANSWER_BYTES).map_err(|e| OipError::Protocol {
            url: url.clone(),
            message: e.to_string(),
        })?;
        let elapsed = started.elapsed();
        let answer: Value = serde_json::from_slice(&bytes).map_err(|e| OipError::Protocol {
            url: url.clone(),
            message: format!("the answer is not JSON: {e}"),
        })?;
        Ok((answer, elapsed, url))
    }

    /// Sends one inference request of FP32 tensor `input_name` with `shape` and `data`, asking
    /// for `output` when given, and returns the chosen output and the request's duration.
    ///
    /// # Errors
    /// [`OipError`] for a transport failure, a non-200 answer (its text, shortened), or an
    /// answer that is not an inference response.
    pub fn infer(
        &self,
        input_name: &str,
        shape: &[usize],
        data: &[f32],
        output: Option<&str>,
    ) -> Result<(Output, Duration), OipError> {
        let mut body = json!({
            "inputs": [{
                "name": input_name,
                "shape": shape,
                "datatype": "FP32",
                "data": data,
            }]
        });
        if let (Some(name), Some(obj)) = (output, body.as_object_mut()) {
            obj.insert("outputs".into(), json!([{ "name": name }]));
        }
        let (answer, elapsed, url) = self.post(&body)?;
        let chosen = pick_output(&answer, output).map_err(|message| OipError::Protocol {
            url: url.clone(),
            message,
        })?;
        Ok((chosen, elapsed))
    }
}

/// Finds the output named `want` (or the first) in an inference response.
///
/// # Errors
/// A message when the answer has no such output or its data are not numbers.
pub fn pick_output(answer: &Value, want: Option<&str>) -> Result<Output, String> {
    let outputs = answer
        .get("outputs")
        .and_then(Value::as_array)
        .ok_or("the answer has no `outputs` array")?;
    let out = match want {
        Some(name) => outputs
            .iter()
            .find(|o| o.get("name").and_then(Value::as_str) == Some(name))
            .ok_or_else(|| format!("the answer has no output named `{name}`"))?,
        None => outputs.first().ok_or("the answer has no outputs")?,
    };
    let name = out
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    let datatype = out
        .get("datatype")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    let mut values = Vec::new();
    flatten(out.get("data").unwrap_or(&Value::Null), &mut values)
        .map_err(|why| format!("output `{name}`: {why}"))?;
    if values.is_empty() {
        return Err(format!("output `{name}` has no data"));
    }
    check_shape(out.get("shape"), values.len()).map_err(|why| format!("output `{name}`: {why}"))?;
    Ok(Output {
        name,
        datatype,
        values,
    })
}

/// Checks that a declared `shape` (when present) holds exactly `count` values.
///
/// # Errors
/// A message when the shape is not a list of non-negative integers or its element count
/// (computed without overflow) differs from `count`.
fn check_shape(shape: Option<&Value>, count: usize) -> Result<(), String> {
    let Some(shape) = shape else {
        return Ok(());
    };
    let dims = shape
        .as_array()
        .ok_or("`shape` is not a list")?
        .iter()
        .map(|d| {
            d.as_u64()
                .ok_or("`shape` holds something other than a non-negative integer")
        })
        .collect::<Result<Vec<u64>, _>>()?;
    let declared = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .ok_or("`shape` declares more elements than can be counted")?;
    if declared != count as u64 {
        return Err(format!(
            "`shape` {} declares {declared} values but `data` holds {count}",
            shorten(&shape.to_string())
        ));
    }
    Ok(())
}

/// Flattens `data` (flat or nested lists; numbers, booleans or numeric strings).
fn flatten(data: &Value, out: &mut Vec<f64>) -> Result<(), String> {
    match data {
        Value::Array(items) => items.iter().try_for_each(|v| flatten(v, out)),
        Value::Number(n) => {
            out.push(n.as_f64().ok_or("a number out of range")?);
            Ok(())
        }
        Value::Bool(b) => {
            out.push(if *b { 1.0 } else { 0.0 });
            Ok(())
        }
        Value::String(s) => {
            out.push(
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("`{}` is not a number", shorten(s)))?,
            );
            Ok(())
        }
        _ => Err("`data` is not a list of numbers".into()),
    }
}

/// The first line of `text`, at most 200 characters.
fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > 200 {
        format!("{}…", line.chars().take(200).collect::<String>())
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_named_or_first_output_and_flattens() {
        let answer = json!({"model_name": "m", "outputs": [
            {"name": "predict", "shape": [1, 1], "datatype": "INT64", "data": [3]},
            {"name": "predict_proba", "shape": [1, 3], "datatype": "FP64", "data": [[0.1, 0.7, 0.2]]}
        ]});
        let first = pick_output(&answer, None).ok();
        assert_eq!(
            first.map(|o| (o.name, o.values)),
            Some(("predict".into(), vec![3.0]))
        );
        let proba = pick_output(&answer, Some("predict_proba")).ok();
        assert_eq!(proba.map(|o| o.values), Some(vec![0.1, 0.7, 0.2]));
        assert!(pick_output(&answer, Some("nope")).is_err());
        assert!(pick_output(&json!({"error": "x"}), None).is_err());
    }

    #[test]
    fn data_must_match_the_declared_shape() {
        // Issue 14 #10: `[1e9, 1e9]` with 10 values and 4 values for `[1, 10]` were accepted.
        let huge = json!({"outputs": [{"name": "p", "shape": [1_000_000_000u64, 1_000_000_000u64],
            "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}]});
        let err = pick_output(&huge, None).expect_err("shape mismatch");
        assert!(
            err.contains("declares 1000000000000000000 values but `data` holds 10"),
            "{err}"
        );
        let short = json!({"outputs": [{"name": "p", "shape": [1, 10], "datatype": "FP32",
            "data": [1, 2, 3, 4]}]});
        assert!(pick_output(&short, None).is_err());
        let overflow = json!({"outputs": [{"name": "p", "shape": [u64::MAX, 2], "datatype": "FP32",
            "data": [1]}]});
        assert!(pick_output(&overflow, None).is_err());
        let nested = json!({"outputs": [{"name": "p", "shape": [2, 2], "datatype": "FP32",
            "data": [[1, 2], [3, 4]]}]});
        assert_eq!(pick_output(&nested, None).map(|o| o.values.len()), Ok(4));
    }

    /// A one-connection-at-a-time HTTP server answering every request with `answer` (a
    /// function writing the whole response), for the bounded-read and timeout tests.
    fn serve(answer: fn(&mut std::net::TcpStream)) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                std::thread::spawn(move || {
                    use std::io::Read as _;
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf);
                    answer(&mut stream);
                });
            }
        });
        url
    }

    #[test]
    fn an_endless_answer_is_refused_at_the_cap() {
        // Issue 14 #2: a 1 GB answer was read whole (5.2 GB of memory, then an abort).
        let url = serve(|stream| {
            use std::io::Write as _;
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n[");
            let chunk = vec![b'1'; 1 << 20];
            for _ in 0..200 {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
            }
        });
        let client = Client::new(&url, "m").expect("client");
        let err = client
            .infer("x", &[1, 1], &[0.0], None)
            .expect_err("too large");
        assert!(
            err.to_string()
                .contains(&format!("larger than {MAX_ANSWER_BYTES} bytes")),
            "{err}"
        );
    }

    #[test]
    fn ready_timeout_is_honoured_against_a_silent_server() {
        // Issue 14 #13: `--ready-timeout 5` waited 30 s (one request's timeout) on a server
        // that accepts connections and never answers.
        let url = serve(|_| std::thread::sleep(Duration::from_secs(60)));
        let client = Client::new(&url, "m").expect("client");
        let started = Instant::now();
        let err = client
            .wait_ready(Duration::from_secs(2))
            .expect_err("not ready");
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{:?}",
            started.elapsed()
        );
        assert!(err.to_string().contains("timed out"), "{err}");
    }

    #[test]
    fn numeric_strings_are_numbers() {
        let answer = json!({"outputs": [{"name": "predict", "datatype": "BYTES", "data": ["7"]}]});
        assert_eq!(pick_output(&answer, None).map(|o| o.values), Ok(vec![7.0]));
        let bad = json!({"outputs": [{"name": "predict", "datatype": "BYTES", "data": ["cat"]}]});
        assert!(pick_output(&bad, None).is_err());
    }
}
