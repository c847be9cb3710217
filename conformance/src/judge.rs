//! What a test expects, and whether an outcome meets it (the rules are documented in
//! [`crate::runner`]).

use crate::engine::{Failure, Outcome};
use crate::testfile::TestFile;

/// What a test file asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// A positive test: the run must end with this r0.
    Value(u64),
    /// The test must end in an error whose message contains this text
    /// (case-insensitive; empty text accepts any error).
    Error(String),
    /// A negative test without `-- error`: it must be refused, fail, or (when it has a
    /// deliberately wrong `-- result`) end with an r0 other than this value.
    Refusal(Option<u64>),
    /// A positive test with neither `-- result` nor `-- error`: cannot pass.
    Nothing,
}

impl Expectation {
    /// The expectation of `file`; `negative` says whether it lies under a `negative/`
    /// directory.
    pub fn of(file: &TestFile, negative: bool) -> Expectation {
        match (&file.error, file.result) {
            (Some(text), _) => Expectation::Error(text.clone()),
            (None, result) if negative => Expectation::Refusal(result),
            (None, Some(value)) => Expectation::Value(value),
            (None, None) => Expectation::Nothing,
        }
    }

    /// Whether the test expects to end without a value.
    pub fn is_negative(&self) -> bool {
        matches!(self, Expectation::Error(_) | Expectation::Refusal(_))
    }

    /// Judges an engine's outcome: `Ok(())` on a pass, or why it failed.
    pub fn judge(&self, outcome: &Outcome) -> Result<(), String> {
        match (self, outcome) {
            (Expectation::Value(want), Ok(done)) if done.r0 == *want => Ok(()),
            (Expectation::Value(want), Ok(done)) => {
                Err(format!("r0 = {:#x}, expected {want:#x}", done.r0))
            }
            (Expectation::Value(want), Err(failure)) => {
                Err(format!("expected r0 = {want:#x}, got {failure}"))
            }
            (Expectation::Error(text), Err(failure)) => match_message(text, failure),
            (Expectation::Error(text), Ok(done)) => Err(format!(
                "expected an error{}, but it ran to r0 = {:#x}",
                quoted(text),
                done.r0
            )),
            (Expectation::Refusal(_), Err(_)) => Ok(()),
            (Expectation::Refusal(Some(wrong)), Ok(done)) if done.r0 != *wrong => Ok(()),
            (Expectation::Refusal(_), Ok(done)) => Err(format!(
                "negative test ran and matched (r0 = {:#x}) instead of being refused",
                done.r0
            )),
            (Expectation::Nothing, _) => Err("no `-- result` or `-- error` section".into()),
        }
    }

    /// Judges a test that ended before reaching an engine (unreadable file, parse error,
    /// no program): intended only for tests under `negative/`.
    pub fn judge_runner_failure(negative: bool, reason: &str) -> Result<(), String> {
        if negative {
            Ok(())
        } else {
            Err(reason.to_string())
        }
    }
}

fn quoted(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" containing \"{text}\"")
    }
}

fn match_message(text: &str, failure: &Failure) -> Result<(), String> {
    let message = failure.message();
    if message.to_lowercase().contains(&text.to_lowercase()) {
        Ok(())
    } else {
        Err(format!(
            "expected an error containing \"{text}\", got {failure}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Completion, Stage};

    fn ran(r0: u64) -> Outcome {
        Ok(Completion { r0, memory: vec![] })
    }

    fn failed(message: &str) -> Outcome {
        Err(Failure::new(Stage::Run, message.to_string()))
    }

    fn file(result: Option<u64>, error: Option<&str>) -> TestFile {
        TestFile {
            result,
            error: error.map(str::to_string),
            ..TestFile::default()
        }
    }

    #[test]
    fn positive_tests_need_the_value() {
        let e = Expectation::of(&file(Some(2), None), false);
        assert_eq!(e, Expectation::Value(2));
        assert!(e.judge(&ran(2)).is_ok());
        assert!(e.judge(&ran(3)).is_err());
        assert!(e.judge(&failed("boom")).is_err());
        let none = Expectation::of(&file(None, None), false);
        assert!(none.judge(&ran(0)).is_err());
    }

    #[test]
    fn error_sections_match_case_insensitively() {
        let e = Expectation::of(&file(Some(1), Some("Out of Bounds")), false);
        assert!(e.judge(&failed("load out of bounds at pc 3")).is_ok());
        assert!(e.judge(&failed("division by zero")).is_err());
        assert!(e.judge(&ran(1)).is_err());
        let any = Expectation::of(&file(None, Some("")), true);
        assert!(any.judge(&failed("anything")).is_ok());
        assert!(any.judge(&ran(0)).is_err());
    }

    #[test]
    fn negative_tests_without_error_must_not_match() {
        let e = Expectation::of(&file(Some(5), None), true);
        assert_eq!(e, Expectation::Refusal(Some(5)));
        assert!(e.judge(&ran(6)).is_ok());
        assert!(e.judge(&ran(5)).is_err());
        assert!(e.judge(&failed("refused")).is_ok());
        assert!(Expectation::of(&file(None, None), true)
            .judge(&ran(0))
            .is_err());
        assert!(Expectation::judge_runner_failure(true, "no program").is_ok());
        assert!(Expectation::judge_runner_failure(false, "no program").is_err());
    }
}
