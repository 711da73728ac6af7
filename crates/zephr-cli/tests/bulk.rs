//! Bulk jobs and errors that help: `zephr import`, `zephr export`,
//! `zephr call --all`, usage errors and completions, against a real emulator
//! on 127.0.0.1 and the real `zephr` binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use zephr_emulator::{BackgroundEmulator, Config, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, FaultConfig};

fn zephr(base_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zephr"));
    command
        .env_remove("ZEPHR_TENANT")
        .env("ZEPHR_BASE_URL", base_url)
        .env("ZEPHR_ACCESS_KEY", DEMO_ACCESS_KEY)
        .env("ZEPHR_SECRET_KEY", DEMO_SECRET_KEY)
        .stdin(Stdio::null());
    command
}

fn run(base_url: &str, args: &[&str]) -> Output {
    zephr(base_url).args(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zephr-bulk-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `count` createUser lines with distinct emails.
fn users_input(dir: &Path, count: usize) -> (PathBuf, BTreeSet<String>) {
    let path = dir.join("users.ndjson");
    let mut text = String::new();
    let mut emails = BTreeSet::new();
    for i in 0..count {
        let email = format!("user{i}@example.com");
        text.push_str(
            &json!({"body": {"identifiers": {"email_address": email}, "attributes": {"n": i}}})
                .to_string(),
        );
        text.push('\n');
        emails.insert(email);
    }
    std::fs::write(&path, text).unwrap();
    (path, emails)
}

/// The journal's records whose state is `state`.
fn journal_count(path: &Path, state: &str) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|r| r["state"] == state)
        .count()
}

/// Waits (polling, no timing asserted) until the journal holds `at_least` done lines.
fn wait_for_done(child: &mut Child, journal: &Path, at_least: usize) {
    for _ in 0..6000 {
        if journal_count(journal, "done") >= at_least {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the import made no progress");
}

/// Every user the emulator holds, exported with `zephr export`, by email.
fn exported_emails(base_url: &str, dir: &Path) -> Vec<String> {
    let out = dir.join("export.ndjson");
    let output = run(
        base_url,
        &["export", "listUsers", "--output", out.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            let user: Value = serde_json::from_str(l).unwrap();
            user["identifiers"]["email_address"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn import_of_10000_users_survives_sigkill_and_exports_back() {
    let emulator = BackgroundEmulator::spawn(Config {
        faults: FaultConfig {
            rate_429: 0.03,
            rate_503: 0.03,
            retry_after_secs: 0,
            ..FaultConfig::default()
        },
        ..Config::default()
    })
    .unwrap();
    let base = emulator.base_url();
    let dir = scratch("sigkill");
    let (input, emails) = users_input(&dir, 10_000);
    let journal = dir.join("journal.ndjson");
    let failures = dir.join("failures.ndjson");
    let import = |extra: &[&'static str]| {
        let mut args = vec![
            "import",
            "createUser",
            "--input",
            input.to_str().unwrap(),
            "--concurrency",
            "16",
            "--journal",
            journal.to_str().unwrap(),
            "--failures",
            failures.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args
    };

    // First run: killed (SIGKILL) a third of the way in.
    let mut child = zephr(&base)
        .args(import(&[]))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_done(&mut child, &journal, 3_000);
    child.kill().unwrap();
    child.wait().unwrap();
    let done_before = journal_count(&journal, "done");
    assert!(done_before < 10_000);

    // Second run: skips every done line; lines in flight at the kill are of
    // unknown outcome and not sent again by default.
    let second = run(&base, &import(&[]));
    let text = stderr(&second);
    assert!(
        text.contains(&format!("{done_before} skipped (done before)")),
        "{text}"
    );
    let unknown = text
        .split(" unknown,")
        .next()
        .and_then(|t| t.rsplit(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap();
    assert!(unknown <= 16, "at most the calls in flight: {text}");

    // Then with --retry-unknown, and again while injected 503s (a POST is
    // not retried on 503) leave failed lines. Lines whose first attempt had
    // landed before the kill now answer 409: they are not created twice.
    let mut runs = 0;
    loop {
        runs += 1;
        let output = run(&base, &import(&["--retry-unknown"]));
        let failed: Vec<Value> = std::fs::read_to_string(&failures)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for record in &failed {
            for field in ["line", "code", "status", "request_id", "message"] {
                assert!(record.get(field).is_some(), "{record}");
            }
        }
        if failed.iter().all(|r| r["status"] == 409) {
            assert!(failed.len() <= unknown, "{failed:?}");
            if failed.is_empty() {
                assert!(output.status.success(), "{}", stderr(&output));
            }
            break;
        }
        assert!(runs < 10, "failures remain: {}", stderr(&output));
    }

    // The emulator holds exactly the 10,000 users, each once.
    let exported = exported_emails(&base, &dir);
    assert_eq!(exported.len(), 10_000);
    let unique: BTreeSet<String> = exported.into_iter().collect();
    assert_eq!(unique, emails);
    emulator.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_during_an_import_leaves_a_journal_the_next_run_honours() {
    let emulator = BackgroundEmulator::spawn(Config {
        faults: FaultConfig {
            delay: Duration::from_millis(2),
            ..FaultConfig::default()
        },
        ..Config::default()
    })
    .unwrap();
    let base = emulator.base_url();
    let dir = scratch("sigint");
    let (input, emails) = users_input(&dir, 2_000);
    let journal = dir.join("journal.ndjson");
    let args = [
        "import",
        "createUser",
        "--input",
        input.to_str().unwrap(),
        "--concurrency",
        "4",
        "--journal",
        journal.to_str().unwrap(),
    ];
    let mut child = zephr(&base)
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_done(&mut child, &journal, 200);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{text}");
    assert!(text.contains("interrupted"), "{text}");
    // The calls in flight were finished, so nothing is of unknown outcome.
    assert!(text.contains(" 0 unknown"), "{text}");
    let done = journal_count(&journal, "done");
    assert!(done > 0 && done < 2_000, "{done}");

    let rerun = run(&base, &args);
    let text = stderr(&rerun);
    assert!(rerun.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "{} done, {done} skipped (done before), 0 failed",
            2_000 - done
        )),
        "{text}"
    );
    let exported: BTreeSet<String> = exported_emails(&base, &dir).into_iter().collect();
    assert_eq!(exported, emails);
    emulator.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dry_run_validates_every_line_and_sends_nothing() {
    let emulator = BackgroundEmulator::spawn(Config::default()).unwrap();
    let dir = scratch("dry");
    let input = dir.join("in.ndjson");
    std::fs::write(
        &input,
        "{\"body\": {\"identifiers\": {\"email_address\": \"a@example.com\"}}}\n{not json\n\n{\"nobody\": 1}\n",
    )
    .unwrap();
    let output = run(
        &emulator.base_url(),
        &[
            "import",
            "createUser",
            "--input",
            input.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("dry run of createUser: 1 valid, 2 invalid, 0 skipped"),
        "{}",
        stderr(&output)
    );
    let failures = std::fs::read_to_string(dir.join("in.ndjson.failures.ndjson")).unwrap();
    let lines: Vec<Value> = failures
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut numbers: Vec<u64> = lines.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [2, 4]);
    assert!(lines.iter().any(|r| r["code"] == "invalid_json"));
    assert_eq!(emulator.requests_served(), 0);
    assert!(!dir.join("in.ndjson.journal").exists());
    emulator.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn call_all_streams_every_element_and_export_resumes_page_by_page() {
    let emulator = BackgroundEmulator::spawn(Config::default()).unwrap();
    let base = emulator.base_url();
    for i in 0..7 {
        let body = json!({"name": format!("Org {i}"), "number_of_seats": 1}).to_string();
        assert!(
            run(&base, &["call", "createAccount", "--body", &body])
                .status
                .success()
        );
    }
    let all = run(
        &base,
        &["call", "listAccounts", "--param", "rpp=2", "--all"],
    );
    assert!(all.status.success(), "{}", stderr(&all));
    let names: Vec<String> = String::from_utf8(all.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names,
        (0..7).map(|i| format!("Org {i}")).collect::<Vec<_>>()
    );

    let notlist = run(&base, &["call", "getUser", "--param", "user_id=x", "--all"]);
    assert_eq!(notlist.status.code(), Some(2));
    assert!(stderr(&notlist).contains("'getUser' does not answer a list"));

    // A whole export, then one cut after its second page (as a kill leaves
    // it: a progress file and a partly written third page).
    let dir = scratch("export");
    let out = dir.join("accounts.ndjson");
    let export = |extra: &[&'static str]| {
        let mut args = vec!["export", "listAccounts", "--param", "rpp=2", "--output"];
        args.push(out.to_str().unwrap());
        args.extend_from_slice(extra);
        run(&base, &args)
    };
    assert!(export(&[]).status.success());
    let whole = std::fs::read_to_string(&out).unwrap();
    assert_eq!(whole.lines().count(), 7);
    let two_pages: usize = whole.lines().take(4).map(|l| l.len() + 1).sum();
    let progress = dir.join("accounts.ndjson.progress");
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(&progress).unwrap()).unwrap();
    assert_eq!(state["pages"], 4);
    state["pages"] = json!(2);
    state["items"] = json!(4);
    state["bytes"] = json!(two_pages);
    state["complete"] = json!(false);
    std::fs::write(&progress, state.to_string()).unwrap();
    std::fs::write(&out, format!("{}{{\"half\": ", &whole[..two_pages])).unwrap();

    let before = emulator.requests_served();
    let resumed = export(&["--resume"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), whole);
    // Only pages 3 and 4 were fetched again.
    assert_eq!(emulator.requests_served() - before, 2);

    // Resuming another export's progress is refused.
    let other = run(
        &base,
        &[
            "export",
            "listAccounts",
            "--param",
            "rpp=3",
            "--output",
            out.to_str().unwrap(),
            "--resume",
        ],
    );
    assert_eq!(other.status.code(), Some(2));
    assert!(
        stderr(&other).contains("belongs to another export"),
        "{}",
        stderr(&other)
    );
    emulator.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_name_everything_that_is_missing_or_wrong() {
    let bare = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_zephr"))
            .args(args)
            .env_remove("ZEPHR_TENANT")
            .env_remove("ZEPHR_BASE_URL")
            .env_remove("ZEPHR_ACCESS_KEY")
            .env_remove("ZEPHR_SECRET_KEY")
            .output()
            .unwrap()
    };
    let cases: [(&[&str], &str); 6] = [
        (
            &["call", "listAccounts"],
            "zephr: the following required arguments were not provided: \
             --access-key <ACCESS_KEY> (or set ZEPHR_ACCESS_KEY), \
             --secret-key <SECRET_KEY> (or set ZEPHR_SECRET_KEY) (see `zephr call --help`)\n",
        ),
        (
            &[
                "call",
                "listAcounts",
                "--access-key",
                "a",
                "--secret-key",
                "s",
                "--tenant",
                "t",
            ],
            "zephr: unknown_operation: no operation has the id 'listAcounts'; did you mean 'listAccounts'?\n",
        ),
        (
            &[
                "prepare",
                "listAccountUsers",
                "--param",
                "acount_id=1",
                "--access-key",
                "a",
                "--secret-key",
                "s",
                "--tenant",
                "t",
            ],
            "zephr: unknown_param: operation 'listAccountUsers' has no parameter 'acount_id' \
             (it takes: account_id); did you mean 'account_id'?\n",
        ),
        (
            &["imprt"],
            "zephr: unrecognized subcommand 'imprt'; tip: some similar subcommands exist: \
             'export', 'import' (see `zephr --help`)\n",
        ),
        (
            &["import", "createUser"],
            "zephr: the following required arguments were not provided: --input <FILE>, \
             --access-key <ACCESS_KEY> (or set ZEPHR_ACCESS_KEY), \
             --secret-key <SECRET_KEY> (or set ZEPHR_SECRET_KEY) (see `zephr import --help`)\n",
        ),
        (
            &[
                "call",
                "listAccounts",
                "--access-key",
                "a",
                "--secret-key",
                "s",
            ],
            "zephr: give --tenant or --base-url (or ZEPHR_TENANT / ZEPHR_BASE_URL)\n",
        ),
    ];
    for (args, expected) in cases {
        let output = bare(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&output), expected, "{args:?}");
    }
    // The exit codes are documented in --help.
    let help = String::from_utf8(bare(&["--help"]).stdout).unwrap();
    assert!(
        help.contains("Exit codes: 0 success; 1 the API answered an error"),
        "{help}"
    );
}

#[test]
fn completions_include_operation_ids() {
    for shell in ["bash", "zsh", "fish"] {
        let output = Command::new(env!("CARGO_BIN_EXE_zephr"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        for word in ["createUser", "listAccounts", "import", "concurrency"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
        if shell == "bash" {
            // The script parses, and offers operation ids after `zephr call`.
            let check = Command::new("bash")
                .args([
                    "-c",
                    "eval \"$1\"; COMP_WORDS=(zephr call listAcc); COMP_CWORD=2; \
                     _zephr zephr listAcc call; printf '%s\\n' \"${COMPREPLY[@]}\"",
                    "bash",
                    &script,
                ])
                .output()
                .unwrap();
            let offered = String::from_utf8(check.stdout).unwrap();
            assert!(offered.lines().any(|l| l == "listAccounts"), "{offered}");
            assert!(
                offered.lines().any(|l| l == "listAccountUsers"),
                "{offered}"
            );
        }
    }
}

/// Reads one HTTP request (head and body) from a connection.
fn read_request(stream: &std::net::TcpStream) {
    use std::io::{BufRead, BufReader, Read};
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
}

#[test]
fn a_429_holds_back_every_worker_for_its_retry_after() {
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    // A loopback server: the first request gets 429 with Retry-After: 1,
    // every other one 201 after 50 ms. It notes when each request arrived.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let arrivals: Arc<Mutex<Vec<(Instant, u16)>>> = Arc::default();
    let seen = Arc::clone(&arrivals);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                read_request(&stream);
                let status = {
                    let mut seen = seen.lock().unwrap();
                    let status = if seen.is_empty() { 429 } else { 201 };
                    seen.push((Instant::now(), status));
                    status
                };
                if status == 201 {
                    // Slow enough that, without a shared back-off, the
                    // other workers would still be sending during the wait.
                    std::thread::sleep(Duration::from_millis(50));
                }
                let reply = if status == 429 {
                    "HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"
                } else {
                    "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"
                };
                let _ = (&stream).write_all(reply.as_bytes());
            });
        }
    });
    let dir = scratch("gate");
    let (input, _) = users_input(&dir, 40);
    let output = run(
        &base,
        &[
            "import",
            "createUser",
            "--input",
            input.to_str().unwrap(),
            "--concurrency",
            "4",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 41, "40 lines and one retry");
    let (limited_at, _) = arrivals[0];
    // Calls already in flight when the 429 came may land just after it;
    // after that, no worker sends until the second has passed (without the
    // shared back-off, the other three would finish every line at once).
    let during = arrivals
        .iter()
        .filter(|(at, _)| {
            let since = at.duration_since(limited_at);
            since > Duration::from_millis(200) && since < Duration::from_millis(950)
        })
        .count();
    assert_eq!(during, 0, "requests were sent during the back-off");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn progress_shows_on_a_terminal_and_nothing_else_otherwise() {
    // `script` (util-linux) gives the command a terminal.
    if Command::new("script").arg("--version").output().is_err() {
        panic!("`script` (util-linux) is needed to give zephr a terminal");
    }
    let emulator = BackgroundEmulator::spawn(Config::default()).unwrap();
    let base = emulator.base_url();
    let dir = scratch("progress");
    let (input, _) = users_input(&dir, 50);
    let out = dir.join("users.ndjson.export");
    let import = format!(
        "'{}' import createUser --input '{}'",
        env!("CARGO_BIN_EXE_zephr"),
        input.display()
    );
    let export = format!(
        "'{}' export listUsers --output '{}'",
        env!("CARGO_BIN_EXE_zephr"),
        out.display()
    );
    let on_terminal = |command: &str| {
        let output = Command::new("script")
            .args(["-qec", command, "/dev/null"])
            .env_remove("ZEPHR_TENANT")
            .env("ZEPHR_BASE_URL", &base)
            .env("ZEPHR_ACCESS_KEY", DEMO_ACCESS_KEY)
            .env("ZEPHR_SECRET_KEY", DEMO_SECRET_KEY)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(output.status.success(), "{command}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let shown = on_terminal(&import);
    assert!(shown.contains("/50 lines ["), "{shown}");
    assert!(shown.contains("ETA"), "{shown}");
    let shown = on_terminal(&export);
    assert!(shown.contains("50 items, 1 pages, to "), "{shown}");

    // Not a terminal: the import prints its summary only, the export nothing.
    std::fs::remove_file(with_journal(&input)).unwrap();
    emulator.shutdown();
    let emulator = BackgroundEmulator::spawn(Config::default()).unwrap();
    let quiet = run(
        &emulator.base_url(),
        &["import", "createUser", "--input", input.to_str().unwrap()],
    );
    assert_eq!(
        stderr(&quiet).lines().collect::<Vec<_>>().len(),
        1,
        "{}",
        stderr(&quiet)
    );
    let quiet = run(
        &emulator.base_url(),
        &["export", "listUsers", "--output", out.to_str().unwrap()],
    );
    assert!(quiet.status.success());
    assert_eq!(stderr(&quiet), "");
    assert_eq!(quiet.stdout, b"");
    emulator.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

fn with_journal(input: &Path) -> PathBuf {
    let mut name = input.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}
