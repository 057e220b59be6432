//! Command-line definitions (clap). Kept apart from `main.rs` so `--help` texts are in one place.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "stubborn",
    version,
    about = "An OpenAPI mock server that is stubborn about the contract",
    long_about = "stubborn serves an API from its OpenAPI description before the real one exists: \
                  it answers with the document's examples, or with realistic data generated from \
                  the response schemas.",
    after_help = "Examples:\n  stubborn mock specs/petstore.yaml\n  stubborn check specs/petstore.yaml\n  stubborn example specs/petstore.yaml GET /pets"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run: the size of `MockArgs` next to the other variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve a mock of the API described by SPEC.
    #[command(
        after_help = "Examples:\n  stubborn mock specs/petstore.yaml\n  stubborn mock specs/petstore.yaml --port 0 --seed 7\n  stubborn mock api.json --dynamic --no-cors --validate=warn"
    )]
    Mock(Box<MockArgs>),
    /// Put a validating proxy in front of a real API: every request and every answer is
    /// checked against SPEC; what the API has not built yet is answered by the mock.
    #[command(
        after_help = "In front of UPSTREAM_URL, requests routed to an operation are checked as `mock` checks \
                      them and forwarded (method, path under the upstream's base path, query, headers but \
                      hop-by-hop ones, body; Host is the upstream's, X-Forwarded-For/-Host/-Proto are set). \
                      Answers are checked against the operation's documented responses. Violations of \
                      either side are listed in x-stubborn-violations (each prefixed `request` or \
                      `response`), in the call log and in the log line.\n\n\
                      --errors: an invalid request is answered 422/400 here, without reaching the \
                      upstream, and an invalid upstream answer becomes a 502 problem listing the \
                      violations. Without it, both are passed on.\n\n\
                      The mock answers (x-stubborn-source: mock) operations in --mock-operations or marked \
                      `x-stubborn-mock: true`, an upstream answer whose status is in --mock-on, and a \
                      refused connection; x-stubborn-source: upstream otherwise, proxy for answers the \
                      proxy makes itself (rejections, 502, 504).\n\n\
                      Examples:\n  stubborn proxy openapi.yaml http://localhost:8080\n  stubborn proxy openapi.yaml https://staging.example.com/v1 --errors --mock-on 501,404\n  stubborn proxy openapi.yaml http://localhost:8080 --mock-operations createOrder,listRefunds --dynamic"
    )]
    Proxy(Box<ProxyArgs>),
    /// Load and compile SPEC without serving; print a summary and every problem found.
    #[command(
        after_help = "Exit codes: 0 when the document loads (warnings allowed), 2 when it does not.\n\nExample:\n  stubborn check specs/petstore.yaml"
    )]
    Check(CheckArgs),
    /// Print the body the mock would answer for METHOD PATH.
    #[command(
        after_help = "Examples:\n  stubborn example specs/petstore.yaml GET /pets\n  stubborn example specs/petstore.yaml GET /pets/1 --status 404\n  stubborn example specs/petstore.yaml GET '/pets/{petId}' --seed 3"
    )]
    Example(ExampleArgs),
    /// Write a ready, documented spec from a template.
    #[command(
        after_help = "Examples:\n  stubborn init --list\n  stubborn init --template shop my-api\n  stubborn mock my-api/openapi.yaml"
    )]
    Init(InitArgs),
    /// Write the document as stubborn understood it, normalised to OpenAPI 3.1.
    #[command(
        after_help = "Examples:\n  stubborn convert swagger.json --to openapi-3.1 -o openapi.yaml\n  stubborn convert specs/petstore.yaml --to openapi-3.1"
    )]
    Convert(ConvertArgs),
    /// Turn recorded traffic (a HAR file) into an OpenAPI 3.1 document.
    #[command(
        after_help = "Examples:\n  stubborn import traffic.har -o spec.yaml\n  stubborn mock spec.yaml"
    )]
    Import(ImportArgs),
    /// Forward requests to a real API and record the traffic; on stop, write an OpenAPI 3.1
    /// document inferred from it.
    #[command(
        after_help = "Every exchange is appended at once to OUTPUT.har.jsonl; on Ctrl-C (or SIGTERM) the \
                      journal, earlier runs included, becomes OUTPUT. A crashed run is recovered by \
                      running again and stopping cleanly.\n\nExamples:\n  stubborn record --upstream http://localhost:8080 -o spec.yaml\n  stubborn record --upstream http://localhost:8080/api --port 0 -o spec.json\n  stubborn mock spec.yaml"
    )]
    Record(RecordArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Examples:\n  stubborn completions bash > ~/.local/share/bash-completion/completions/stubborn\n  stubborn completions zsh > ~/.zfunc/_stubborn\n  stubborn completions fish > ~/.config/fish/completions/stubborn.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff), generated from the same definitions as --help.
    #[command(after_help = "Example:\n  stubborn man > stubborn.1 && man ./stubborn.1")]
    Man,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The template to start from (see --list).
    #[arg(short, long, default_value = "petstore")]
    pub template: String,
    /// List the templates, one line each, and exit.
    #[arg(long)]
    pub list: bool,
    /// Directory to write into (created if missing); the spec is DIR/openapi.yaml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite an existing openapi.yaml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The API description to convert (OpenAPI 3.0/3.1 or Swagger 2.0).
    pub spec: PathBuf,
    /// The target format.
    #[arg(long, default_value = "openapi-3.1")]
    pub to: String,
    /// Output file (YAML or JSON by its extension); standard output when absent.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The recorded traffic: a HAR file (as browsers' developer tools export it).
    pub input: PathBuf,
    /// Output file (YAML or JSON by its extension); standard output when absent.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ProxyArgs {
    /// The mock's options: SPEC (required here), --port, --host, --validate, --max-body,
    /// --dynamic, --seed, --api-key, CORS, --watch... (`--errors` means the proxy's: see below).
    #[command(flatten)]
    pub mock: MockArgs,
    /// The API to forward to: http://HOST:PORT or https://HOST/BASE-PATH.
    #[arg(value_name = "UPSTREAM_URL")]
    pub upstream: Option<String>,
    #[command(flatten)]
    pub upstream_client: UpstreamArgs,
    /// Upstream statuses answered by the mock instead, comma-separated: 501,404.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "501",
        value_name = "STATUS,..."
    )]
    pub mock_on: Vec<u16>,
    /// Operation ids always answered by the mock, comma-separated (also: `x-stubborn-mock:
    /// true` on an operation).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub mock_operations: Vec<String>,
    /// Forward requests that match no operation, marked undocumented in the log (the default).
    #[arg(long, conflicts_with = "strict_routes")]
    pub passthrough: bool,
    /// Answer requests that match no operation 404 (405 for a method the path lacks) instead
    /// of forwarding them.
    #[arg(long)]
    pub strict_routes: bool,
}

/// How `record` and `proxy` reach their upstream (see [`crate::client`]).
#[derive(Args, Debug, Clone)]
pub struct UpstreamArgs {
    /// A PEM file of root certificates trusted for an https:// upstream besides the platform's
    /// and webpki's: a private or development CA.
    #[arg(long, value_name = "FILE")]
    pub upstream_ca: Option<PathBuf>,
    /// Do not verify the upstream's TLS certificate (development only; a warning is printed
    /// at start).
    #[arg(long)]
    pub insecure: bool,
    /// How long the upstream has to answer, head and body: 30s, 1m, 500ms. A slower answer
    /// gets 504.
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = parse_millis)]
    pub upstream_timeout: u64,
}

impl UpstreamArgs {
    /// The client's options these flags ask for.
    pub fn options(&self) -> crate::client::Options {
        let timeout = std::time::Duration::from_millis(self.upstream_timeout.max(1));
        crate::client::Options {
            timeout,
            connect_timeout: timeout.min(crate::client::Options::default().connect_timeout),
            ca_file: self.upstream_ca.clone(),
            insecure: self.insecure,
            ..crate::client::Options::default()
        }
    }

    /// The warning `--insecure` prints at start, if given.
    pub fn warning(&self) -> Option<&'static str> {
        self.insecure.then_some(
            "warning: --insecure: the upstream's TLS certificate is not verified; \
             anyone between here and the upstream can read and change the traffic",
        )
    }
}

#[derive(Args, Debug)]
pub struct RecordArgs {
    /// The API to forward to, an http:// or https:// URL; a path prefix is kept
    /// (http://localhost:8080/api).
    #[arg(long)]
    pub upstream: String,
    #[command(flatten)]
    pub upstream_client: UpstreamArgs,
    /// Port to listen on; 0 picks a free port (printed on start).
    #[arg(short, long, default_value_t = 4010)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The document to write on stop (YAML, or JSON by a .json extension); the traffic is
    /// journaled in OUTPUT.har.jsonl meanwhile.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Largest request body forwarded (larger ones get 413) and the most of a response body
    /// recorded (larger ones are passed on whole, recorded cut): 10MB, 512KB...
    #[arg(long, default_value = "10MB", value_parser = parse_size)]
    pub max_body: usize,
    /// Record Authorization, cookies, x-api-key and credential-like query parameters as sent
    /// instead of as [redacted].
    #[arg(long)]
    pub keep_secrets: bool,
}

#[derive(Args, Debug, Clone)]
pub struct GenArgs {
    /// Seed of the generated data: the same seed gives the same bodies on every run.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Language of generated names, addresses, phones and companies (in bodies and in
    /// Postman's `{{$random…}}` variables): en, de, es, fr, it, ja, pt_BR, zh_CN.
    #[arg(long, default_value = "en")]
    pub locale: crate::generate::Locale,
}

#[derive(Args, Debug)]
pub struct MockArgs {
    /// The API description: OpenAPI 3.0 or 3.1 (or Swagger 2.0, a Postman collection, a HAR
    /// file), JSON or YAML. Without it the mock starts empty: add stubs with POST /__stubborn/stubs.
    pub spec: Option<PathBuf>,
    /// Port to listen on; 0 picks a free port (printed on start).
    #[arg(short, long, default_value_t = 4010)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    #[command(flatten)]
    pub gen: GenArgs,
    /// Generate fresh data on every request instead of fixed bodies.
    #[arg(short = 'd', long)]
    pub dynamic: bool,
    /// Do not answer CORS preflights nor add CORS headers.
    #[arg(long)]
    pub no_cors: bool,
    /// CORS on or off, as Prism spells it (`--cors=false` is `--no-cors`).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = false)]
    pub cors: Option<bool>,
    /// Answer 500 with the violations when a response the mock would send breaks its own
    /// schema (a documented example that contradicts it), as Prism's --errors; without it such
    /// answers are sent, flagged in x-stubborn-violations.
    #[arg(long)]
    pub errors: bool,
    /// Prism's json-schema-faker switch: `false` keeps undeclared keys out of generated
    /// objects (only the declared properties, and as many more as minProperties needs), even
    /// where additionalProperties allows them.
    #[arg(
        long = "json-schema-faker-fillProperties",
        value_name = "BOOL",
        num_args = 0..=1,
        default_missing_value = "true"
    )]
    pub fill_properties: Option<bool>,
    /// Allow only this origin (repeatable) to call the mock from a browser, e.g.
    /// http://localhost:3000; by default every origin is allowed (echoed, with credentials).
    /// The admin API is same-origin only whatever this says.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
    /// A host name (repeatable) the admin API answers under besides localhost, 127.0.0.1 and
    /// [::1] when the server listens on a loopback address: a container's or a tunnel's name.
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
    /// What to do with requests that break the contract: enforce (reject them), warn (answer
    /// normally, log the violations and list them in the x-stubborn-violations header) or off.
    /// Default: enforce for an OpenAPI or Swagger document, off for a Postman collection or a
    /// HAR file (they show requests, they do not forbid others).
    #[arg(long, value_enum)]
    pub validate: Option<Validate>,
    /// Check a Postman collection's auth (bearer, basic, API key) as security requirements;
    /// Postman's own mocks never do, so by default stubborn does not either.
    #[arg(long)]
    pub enforce_auth: bool,
    /// A Postman environment export whose variables fill the collection's `{{variables}}`
    /// (as when an environment is attached to a Postman mock).
    #[arg(long, value_name = "FILE")]
    pub environment: Option<PathBuf>,
    /// Serve without checking requests (the same as --validate=off).
    #[arg(long)]
    pub no_validate: bool,
    /// Latency added to every answer, in milliseconds: 250, or a random one in 100..500.
    #[arg(long, value_parser = crate::compile::parse_delay)]
    pub delay: Option<(u64, u64)>,
    /// The longest delay --delay, a document's x-stubborn-delay or a Prefer: delay may ask
    /// for: 60s, 1m, 500ms (a bare number is milliseconds).
    #[arg(long, default_value = "60s", value_parser = parse_millis)]
    pub max_delay: u64,
    /// Share of requests answered with a server error (a documented 5xx, else 500/503), 0 to 1.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub chaos: f64,
    /// Items in a streaming answer (text/event-stream, JSON Lines, json-seq, multipart/mixed);
    /// by default an example's own items, else 5; at most 10000.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub stream_count: Option<u64>,
    /// The pause between a stream's items: 250ms (the default), 1s; at most --max-delay.
    #[arg(long, value_name = "DURATION", value_parser = parse_millis)]
    pub stream_interval: Option<u64>,
    /// Make the mock private: every request (admin API included) must carry `x-api-key: KEY`.
    /// Also read from the STUBBORN_API_KEY environment variable, or from a file with
    /// --api-key-file (which keeps it out of the process list).
    #[arg(long, conflicts_with = "api_key_file")]
    pub api_key: Option<String>,
    /// Read the private mock's key from this file (its first line).
    #[arg(long, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,
    /// One line per request on standard error: text (compact, colored on a terminal), json
    /// (one object per line, for machines) or off.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// How many requests the call log keeps (GET /__stubborn/requests); older ones drop out.
    /// 0 turns the log off.
    #[arg(long, default_value_t = 1000)]
    pub log_size: usize,
    /// Largest request body accepted, e.g. 10MB, 512KB or 1048576; larger bodies get 413.
    #[arg(long, default_value = "10MB", value_parser = parse_size)]
    pub max_body: usize,
    /// Reload SPEC when it or a file it references changes; a version that does not load is
    /// reported and the previous one keeps serving.
    #[arg(long)]
    pub watch: bool,
    /// Connections served at once; more are closed at once.
    #[arg(long, default_value_t = crate::server::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Stateful mode: what a client creates it can read back. Resources are inferred from
    /// the document (`/pets` and `/pets/{petId}`); POST stores, GET reads and lists, PUT
    /// replaces, PATCH merges, DELETE removes. `stubborn check` lists what was inferred.
    #[arg(long)]
    pub stateful: bool,
    /// Items each top-level collection starts with in stateful mode, generated with --seed.
    #[arg(long, value_name = "N", default_value_t = crate::state::DEFAULT_SEED_ITEMS as u64,
          value_parser = clap::value_parser!(u64).range(0..=crate::state::MAX_SEED_ITEMS as u64))]
    pub seed_items: u64,
    /// Keep the stateful items in this file (implies --stateful): every change is appended
    /// and flushed before it is answered, replayed on start, and the file compacted.
    #[arg(long, value_name = "PATH")]
    pub state_file: Option<PathBuf>,
    /// Keep the stateful items in Redis (implies --stateful), so several replicas behind a
    /// load balancer share them: redis://HOST:PORT[/DB] or redis+unix:///PATH.
    #[arg(long = "state", value_name = "URL", conflicts_with = "state_file")]
    pub state_url: Option<String>,
    /// Share the call log and runtime stubs with every replica started with the same URL and
    /// namespace (redis://HOST:PORT[/DB]): any replica's admin API and dashboard show every
    /// replica's calls, and a stub added at one answers at all. Often the same URL as --state.
    #[arg(long, value_name = "URL")]
    pub shared: Option<String>,
    /// The Redis key prefix of this mock's state (stubborn:NAMESPACE:...); default: the
    /// document's title and version. Replicas of one mock use the same.
    #[arg(long, value_name = "NAME")]
    pub state_namespace: Option<String>,
    /// The most items the stateful store holds in all; a create beyond it gets 507.
    #[arg(long, value_name = "N", default_value_t = crate::state::store::DEFAULT_MAX_ITEMS)]
    pub state_max_items: usize,
    /// Seconds a client has to send a request's headers before its connection is closed.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub header_timeout: u64,
    /// Wait this long after answering before sending an operation's callbacks, in
    /// milliseconds: 250, or a random one in 100..500 (a document's x-stubborn-callback-delay
    /// wins). The answer itself is never delayed.
    #[arg(long, value_name = "MS", value_parser = crate::compile::parse_delay)]
    pub callback_delay: Option<(u64, u64)>,
    /// Retries of a callback or webhook after a connection error or a 5xx answer, with
    /// backoff (100 ms, doubling); at most 10.
    #[arg(long, value_name = "N", default_value_t = crate::server::outbound::DEFAULT_RETRIES,
          value_parser = clap::value_parser!(u32).range(0..=10))]
    pub callback_retries: u32,
    /// A host (repeatable) callbacks and webhooks may be sent to besides loopback and
    /// private-network addresses, as the URL names it: api.example.test, 203.0.113.7.
    #[arg(long = "allow-callback-host", value_name = "HOST")]
    pub allow_callback_hosts: Vec<String>,
    /// Send every webhook the document describes to this URL once, as the server starts
    /// (webhooks are otherwise sent with POST /__stubborn/webhooks/NAME).
    #[arg(long, value_name = "URL")]
    pub webhook_target: Option<String>,
}

/// `60s`, `1m`, `500ms`, `250` (milliseconds): a duration in milliseconds.
pub fn parse_millis(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let bad = || format!("expected a duration like 60s, 1m or 500ms, found \"{s}\"");
    let (digits, factor) = if let Some(d) = t.strip_suffix("ms") {
        (d, 1)
    } else if let Some(d) = t.strip_suffix('s') {
        (d, 1_000)
    } else if let Some(d) = t.strip_suffix('m') {
        (d, 60_000)
    } else {
        (t.as_str(), 1)
    };
    let n: u64 = digits.trim().parse().map_err(|_| bad())?;
    n.checked_mul(factor)
        .ok_or_else(|| format!("{s} is too long"))
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
    Off,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validate {
    Enforce,
    Warn,
    Off,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "expected a share from 0 to 1 such as 0.1, got \"{s}\""
        )),
    }
}

/// `10MB`, `512kb`, `1048576`: decimal units (KB = 1000 bytes), as `curl` and browsers show them.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim().to_ascii_lowercase();
    let (digits, unit): (String, String) = t.chars().partition(|c| c.is_ascii_digit());
    let n: usize = digits
        .parse()
        .map_err(|_| format!("expected a size like 10MB, found \"{s}\""))?;
    let factor = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1_024,
        "m" | "mb" => 1_000_000,
        "mib" => 1_048_576,
        "g" | "gb" => 1_000_000_000,
        other => return Err(format!("unknown size unit \"{other}\" (use B, KB, MB, GB)")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("{s} is too large"))
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The API description to check.
    pub spec: PathBuf,
}

#[derive(Args, Debug)]
pub struct ExampleArgs {
    /// The API description.
    pub spec: PathBuf,
    /// HTTP method, e.g. GET.
    pub method: String,
    /// A concrete path (/pets/1) or a template from the document (/pets/{petId}).
    pub path: String,
    /// The documented status to show instead of the default response.
    #[arg(long)]
    pub status: Option<u16>,
    /// Media type to ask for, as an Accept header would.
    #[arg(long)]
    pub accept: Option<String>,
    /// After the body, say for each generated string why it is what it is (which name,
    /// description words, document example or format led to it), to see what was guessed.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub gen: GenArgs,
}
