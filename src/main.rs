//! The `stubborn` binary: parse the command line, run one command, exit with a deliberate code.
//! 0: success; 1: the command failed (port in use, unknown route...); 2: the document does not load.

/// mimalloc: request handling allocates many small, short-lived things (header copies, JSON
/// values, generated strings), which it serves in far fewer instructions than glibc's malloc.
/// [`allocator_settings`] keeps its peak memory at or below glibc's.
#[global_allocator]
static ALLOCATOR: allocator::MiMalloc = allocator::MiMalloc;

/// mimalloc as Rust's allocator, asking for alignment only where a plain `mi_malloc` might
/// not give it.
///
/// The `mimalloc` crate passes every request to `mi_malloc_aligned`. When the size class's
/// page has no free block left, that function serves a size that is not a power of two (24,
/// 48, 88 bytes...) by over-allocating, even for an alignment of 8: 9 of the 54 allocations
/// of a `--dynamic` request went that way. Every mimalloc block is a multiple of 8 bytes from
/// an aligned page start, so up to 8 a plain `mi_malloc` is aligned already (std's `System`
/// allocator does the same with `malloc`). Under callgrind, allocation in a `--dynamic`
/// request went from 5.3k to 3.4k instructions.
mod allocator {
    use libmimalloc_sys as mi;
    use std::alloc::{GlobalAlloc, Layout};
    use std::ffi::c_void;

    /// Every mimalloc block, of any size, is aligned to this.
    const PLAIN: usize = std::mem::size_of::<usize>();

    pub struct MiMalloc;

    // SAFETY: each call maps to the mimalloc function with the contract GlobalAlloc asks for:
    // a block of at least `size` bytes aligned to `align` (mi_malloc gives `PLAIN`, the
    // aligned functions any power of two), or null; `mi_free` takes a block from any of them.
    unsafe impl GlobalAlloc for MiMalloc {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: see the impl.
            unsafe {
                if layout.align() <= PLAIN {
                    mi::mi_malloc(layout.size()).cast()
                } else {
                    mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
                }
            }
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: see the impl.
            unsafe {
                if layout.align() <= PLAIN {
                    mi::mi_zalloc(layout.size()).cast()
                } else {
                    mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
                }
            }
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
            // SAFETY: see the impl.
            unsafe { mi::mi_free(ptr.cast::<c_void>()) }
        }

        #[inline]
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: see the impl.
            unsafe {
                if layout.align() <= PLAIN {
                    mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
                } else {
                    mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
                }
            }
        }
    }
}

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use stubborn::cli::Validate;
use stubborn::cli::{CheckArgs, Cli, Command, ExampleArgs, MockArgs};
use stubborn::compile::{Mock, MockOptions, ValidateMode};
use stubborn::load;
use stubborn::model::Method;
use stubborn::route::Routed;
use stubborn::server::logline::RequestLog;
use stubborn::MockServer;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = try_main(cli);
    // Log lines still waiting in the batch go out before anything else is said.
    batched_log::flush();
    match outcome {
        Ok(code) => code,
        Err(Failure::Load(errors)) => {
            eprintln!("{errors}");
            eprintln!("{} problem(s); the document was not loaded", errors.0.len());
            ExitCode::from(2)
        }
        Err(Failure::Other(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

enum Failure {
    Load(load::LoadErrors),
    Other(String),
}

impl From<load::LoadErrors> for Failure {
    fn from(e: load::LoadErrors) -> Self {
        Failure::Load(e)
    }
}

fn try_main(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Mock(args) => mock(*args, None),
        Command::Proxy(args) => proxy(*args),
        Command::Check(args) => check(args),
        Command::Example(args) => example(args),
        Command::Init(args) => stubborn::init::run(&args).map_err(Failure::Other),
        Command::Convert(args) => stubborn::convert::run(&args).map_err(|e| match e {
            stubborn::convert::ConvertError::Load(l) => Failure::Load(l),
            stubborn::convert::ConvertError::Other(m) => Failure::Other(m),
        }),
        Command::Import(args) => stubborn::import::run(&args).map_err(Failure::Other),
        Command::Record(args) => stubborn::record::run(&args).map_err(Failure::Other),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut command, "stubborn", &mut out);
            print_out(&out)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .map_err(|e| Failure::Other(format!("cannot render the man page: {e}")))?;
            print_out(&out)
        }
    }
}

/// Writes to standard output. A closed pipe (`stubborn man | head`) is not an error: the
/// reader has what it wanted.
fn print_out(bytes: &[u8]) -> Result<ExitCode, Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Failure::Other(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// mimalloc's settings for a mock, applied before its constructor (priority 101) first touches
/// its arena: so this runs from `.init_array` at priority 100.
///
/// - Transparent huge pages off: mimalloc asks for them on its arenas, which on a kernel that
///   grants them on request (`madvise`, Debian's default) doubles a mock's peak memory under
///   load (30 MiB against glibc's 18 on the load benchmark) for no gain at this size.
/// - mimalloc's `purge_delay` stays at its 10 ms. At 0 (pages back to the system the moment
///   they are empty) peak memory was 1 MiB lower, but under steady load a process could fall
///   into returning and faulting back the same pages: 0.06 to 0.4 page faults per request, each
///   `madvise` a TLB shootdown across the worker threads, which cost `--dynamic` up to 40% of
///   its throughput. At 10 ms: 0.003 faults per request.
#[cfg(target_os = "linux")]
mod allocator_settings {
    #[used]
    #[link_section = ".init_array.00100"]
    static INIT: extern "C" fn() = apply;

    extern "C" fn apply() {
        // SAFETY: PR_SET_THP_DISABLE takes one integer, changes only this process's paging
        // and does not allocate.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
}

/// Most of the program's code runs only while a document is loaded: the CLI, the YAML and
/// JSON readers, the schema compiler, the body renderer. Its pages stay mapped once touched,
/// and the kernel maps code in 64 KiB windows, so after loading the petstore 8 of the 10 MiB
/// of the binary's code are resident, against the 5 a mock needs to serve. [`release`] unmaps
/// the binary's read-only pages once the mock is ready; the kernel keeps them in its page
/// cache, and the pages serving touches come back at the first requests (minor faults, no
/// disk reads). On the load benchmark, peak memory goes from 17.2 to 13.5 MiB, the peak now
/// being the loading itself.
///
/// Never on a writable page: only the segments the ELF headers mark read-only, whole pages
/// inside them, so no relocated data or variable can be lost. It is what the kernel does to
/// these pages under memory pressure anyway.
#[cfg(target_os = "linux")]
mod load_code {
    pub fn release() {
        // SAFETY: dl_iterate_phdr calls `each` with pointers valid for the call; the first
        // object it reports is the executable itself.
        unsafe {
            libc::dl_iterate_phdr(Some(each), std::ptr::null_mut());
        }
    }

    unsafe extern "C" fn each(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        _data: *mut libc::c_void,
    ) -> libc::c_int {
        // SAFETY: `info` and its program headers are valid for this call (dl_iterate_phdr).
        let info = unsafe { &*info };
        let headers = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum.into()) };
        let page = 4096usize;
        for h in headers {
            if h.p_type != libc::PT_LOAD || h.p_flags & libc::PF_W != 0 {
                continue;
            }
            let start = (info.dlpi_addr as usize + h.p_vaddr as usize).next_multiple_of(page);
            let end = (info.dlpi_addr as usize + (h.p_vaddr + h.p_memsz) as usize) / page * page;
            if end > start {
                // SAFETY: whole pages of a read-only, file-backed segment of this executable:
                // dropping them loses nothing, the next access reads them from the file again.
                unsafe {
                    libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
                }
            }
        }
        // Only the executable: the shared libraries' pages are shared with other programs.
        1
    }
}

/// The per-request log lines: compact text (colored on a terminal, through `tracing`), or
/// written straight into [`batched_log`] as plain text or JSON. Other events (warnings) go
/// through `tracing` in the same format.
fn init_request_log(format: stubborn::cli::LogFormat) -> RequestLog {
    use std::io::IsTerminal;
    use stubborn::cli::LogFormat;
    let builder = tracing_subscriber::fmt()
        .with_writer(batched_log::Stderr)
        .with_target(false)
        .with_level(false);
    let sink: stubborn::server::logline::Sink = Arc::new(batched_log::write);
    match format {
        LogFormat::Off => RequestLog::Off,
        LogFormat::Text if std::io::stderr().is_terminal() => {
            let _ = builder.compact().with_ansi(true).without_time().try_init();
            RequestLog::Tracing
        }
        LogFormat::Text => {
            let _ = builder.compact().with_ansi(false).without_time().try_init();
            RequestLog::Text(sink)
        }
        LogFormat::Json => {
            let _ = builder.json().flatten_event(true).try_init();
            RequestLog::Json(sink)
        }
    }
}

/// `stubborn proxy`: the mock's server with a [`stubborn::proxy::Proxy`] in front.
fn proxy(args: stubborn::cli::ProxyArgs) -> Result<ExitCode, Failure> {
    if args.mock.spec.is_none() {
        return Err(Failure::Other(
            "stubborn proxy SPEC UPSTREAM_URL: the document (SPEC) is missing".into(),
        ));
    }
    let Some(upstream) = &args.upstream else {
        return Err(Failure::Other(
            "stubborn proxy SPEC UPSTREAM_URL: the upstream's URL is missing \
             (e.g. http://localhost:8080)"
                .into(),
        ));
    };
    if let Some(bad) = args.mock_on.iter().find(|s| !(100..=599).contains(*s)) {
        return Err(Failure::Other(format!(
            "--mock-on {bad}: not an HTTP status (100 to 599)"
        )));
    }
    let upstream =
        stubborn::client::BaseUrl::parse(upstream, "UPSTREAM_URL").map_err(Failure::Other)?;
    let options = stubborn::proxy::ProxyOptions {
        upstream,
        errors: args.mock.errors,
        mock_on: args.mock_on.clone(),
        mock_operations: args
            .mock_operations
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        strict_routes: args.strict_routes,
        max_body: args.mock.max_body,
        client: args.upstream_client.options(),
    };
    if let Some(warning) = args.upstream_client.warning() {
        eprintln!("{warning}");
    }
    mock(args.mock, Some(options))
}

/// `stubborn mock`, or with `proxy` the server of `stubborn proxy`.
fn mock(args: MockArgs, proxy: Option<stubborn::proxy::ProxyOptions>) -> Result<ExitCode, Failure> {
    let request_log = init_request_log(args.log_format);
    // The proxy's --errors is its own (reject bad requests, 502 for bad answers); the mock
    // it falls back on answers as `stubborn mock` does without it.
    let mock_errors = args.errors && proxy.is_none();
    if let Some((lo, hi)) = args.delay {
        stubborn::compile::check_delay(lo, hi, args.max_delay)
            .map_err(|e| Failure::Other(format!("--delay: {e}")))?;
    }
    if let Some((lo, hi)) = args.callback_delay {
        stubborn::compile::check_delay(lo, hi, args.max_delay)
            .map_err(|e| Failure::Other(format!("--callback-delay: {e}")))?;
    }
    if let Some(url) = &args.webhook_target {
        stubborn::server::outbound::check_target(url, &args.allow_callback_hosts)
            .map_err(|e| Failure::Other(format!("--webhook-target: {e}")))?;
    }
    if let Some(ms) = args.stream_interval {
        stubborn::compile::check_delay(ms, ms, args.max_delay)
            .map_err(|e| Failure::Other(format!("--stream-interval: {e}")))?;
    }
    let api_key = api_key(&args)?;
    let load_options = stubborn::load::LoadOptions {
        environment: match &args.environment {
            Some(file) => load::read_environment(file)?,
            None => Vec::new(),
        },
    };
    let options = MockOptions {
        seed: args.gen.seed,
        dynamic: args.dynamic,
        validate: match (args.no_validate, args.validate) {
            (true, _) | (_, Some(Validate::Off)) => ValidateMode::Off,
            (_, Some(Validate::Warn)) => ValidateMode::Warn,
            (_, Some(Validate::Enforce)) => ValidateMode::Enforce,
            (_, None) => ValidateMode::Auto,
        },
        enforce_auth: args.enforce_auth,
        errors: mock_errors,
        fill_properties: args.fill_properties.unwrap_or(true),
        delay: args.delay,
        chaos: args.chaos,
        locale: args.gen.locale,
        max_delay_ms: args.max_delay,
        stream: stubborn::stream::Pace {
            count: args.stream_count,
            interval_ms: args.stream_interval,
        },
        callback_delay: args.callback_delay,
        stateful: args.stateful || args.state_file.is_some() || args.state_url.is_some(),
        seed_items: args.seed_items as usize,
    };
    let http = stubborn::server::HttpOptions {
        cors: !args.no_cors && args.cors != Some(false),
        cors_origins: args.cors_origins.clone(),
        allowed_hosts: args.allowed_hosts.clone(),
        max_body: args.max_body,
        api_key,
        log_count: args.log_size,
        log_bytes: args.log_size.saturating_mul(8 * 1024),
        max_connections: args.max_connections,
        header_timeout: std::time::Duration::from_secs(args.header_timeout.max(1)),
        callbacks: stubborn::server::outbound::CallbackOptions {
            retries: args.callback_retries,
            allow_hosts: args.allow_callback_hosts.clone(),
            webhook_target: args.webhook_target.clone(),
            ..Default::default()
        },
        request_log,
        ..stubborn::server::HttpOptions::default()
    };
    // The same builder a Rust test starts its `MockServer` with: the two cannot drift apart.
    let mut builder = MockServer::builder()
        .mock_options(options)
        .http_options(http)
        .load_options(load_options)
        .address(format!("{}:{}", args.host, args.port))
        .watch(args.watch);
    match &args.spec {
        Some(spec) => builder = builder.spec(spec),
        None => {
            eprintln!("no document: the mock starts empty; add answers with POST /__stubborn/stubs")
        }
    }
    let proxy = match proxy {
        Some(options) => Some(Arc::new(
            stubborn::proxy::Proxy::new(options).map_err(Failure::Other)?,
        )),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let mut bound = builder.bind().await.map_err(|e| match e {
            stubborn::Error::Load(errors) => Failure::Load(errors),
            other => Failure::Other(other.to_string()),
        })?;
        // Before `listening on`: whoever reads that line may stop the server at once.
        let shutdown = stubborn::record::shutdown_signal();
        let mock = Arc::clone(&bound.mock);
        for w in &mock.api.warnings {
            eprintln!("warning: {w}");
        }
        let state = stateful_store(&args, &mock).await?;
        // Before `listening on`: from then on the other replicas' calls and stubs come in.
        let replicas = match &args.shared {
            Some(url) => Some(Arc::new(
                stubborn::server::shared::Shared::connect(
                    url,
                    &namespace(&args, &mock),
                    args.log_size,
                )
                .await
                .map_err(Failure::Other)?,
            )),
            None => None,
        };
        bound.server = bound.server.with_state(state).with_replicas(replicas);
        if let Some(proxy) = &proxy {
            let unknown = proxy.unknown_operations(&mock);
            if !unknown.is_empty() {
                return Err(Failure::Other(format!(
                    "--mock-operations: no operation has the id {}",
                    unknown.join(", ")
                )));
            }
            bound = bound.with_proxy(Arc::clone(proxy));
        }
        {
            let mut out = std::io::stdout().lock();
            for (template, methods) in mock.router.templates() {
                for m in methods {
                    if m != Method::Head {
                        let _ = writeln!(out, "{:<7} {template}", m.as_str());
                    }
                }
            }
            if let Some(proxy) = &proxy {
                let _ = writeln!(out, "proxying to {}", proxy.options.upstream);
            }
            let _ = writeln!(out, "listening on http://{}", bound.address);
            let _ = out.flush();
        }
        // Render every body in the background so the first request to each operation is as
        // fast as the rest; requests never wait for this.
        tokio::task::spawn_blocking(move || {
            for problem in mock.render_all() {
                eprintln!("warning: {problem}");
            }
            #[cfg(target_os = "linux")]
            load_code::release();
        });
        bound.serve(shutdown).await;
        println!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// Stateful mode's store, seeded unless it holds a state already: `--state-file`'s journal,
/// or memory. `None` when the mock has no stateful resources.
async fn stateful_store(
    args: &MockArgs,
    mock: &Mock,
) -> Result<Option<Arc<stubborn::state::Store>>, Failure> {
    use stubborn::state::{Limits, Store};
    let Some(resources) = &mock.resources else {
        if mock.options.stateful {
            eprintln!(
                "warning: --stateful: the document has no collection with an item path beside it; \
                 every operation stays stateless (`stubborn check` shows why)"
            );
        }
        return Ok(None);
    };
    let limits = Limits {
        max_items: args.state_max_items,
        ..Limits::default()
    };
    let store = match (&args.state_file, &args.state_url) {
        (Some(path), _) => Store::file(path, limits).map_err(Failure::Other)?,
        (None, Some(url)) => Store::redis(url, &namespace(args, mock), limits)
            .await
            .map_err(Failure::Other)?,
        (None, None) => Store::memory(limits),
    };
    store
        .seed_once(&stubborn::server::state::initial(mock))
        .await
        .map_err(|e| {
            Failure::Other(format!("the stateful store cannot be seeded: {}", e.detail))
        })?;
    let names: Vec<&str> = resources.list.iter().map(|r| r.name.as_str()).collect();
    eprintln!("stateful: {} ({} store)", names.join(", "), store.kind());
    Ok(Some(Arc::new(store)))
}

/// The Redis namespace of `--state` and `--shared`: `--state-namespace`, else the document's
/// title and version.
fn namespace(args: &MockArgs, mock: &Mock) -> String {
    args.state_namespace
        .clone()
        .unwrap_or_else(|| format!("{}@{}", mock.api.title, mock.api.version))
}

/// The private mock's key: `--api-key`, `--api-key-file` (its first line), or
/// `STUBBORN_API_KEY`; an empty key is no key.
fn api_key(args: &MockArgs) -> Result<Option<String>, Failure> {
    let key = match (&args.api_key, &args.api_key_file) {
        (Some(k), _) => Some(k.clone()),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| Failure::Other(format!("--api-key-file {}: {e}", file.display())))?;
            let line = text.lines().next().unwrap_or("").trim().to_string();
            if line.is_empty() {
                return Err(Failure::Other(format!(
                    "--api-key-file {}: the file holds no key",
                    file.display()
                )));
            }
            Some(line)
        }
        (None, None) => std::env::var("STUBBORN_API_KEY").ok(),
    };
    Ok(key.filter(|k| !k.is_empty()))
}

fn check(args: CheckArgs) -> Result<ExitCode, Failure> {
    let api = load::load_file(&args.spec)?;
    // Inferred for the report: which resources `--stateful` would keep.
    let mock = Mock::new(
        api,
        MockOptions {
            stateful: true,
            ..MockOptions::default()
        },
    );
    let report = stubborn::check::report(&mock, &args.spec.display().to_string());
    print!("{report}");
    Ok(ExitCode::SUCCESS)
}

fn example(args: ExampleArgs) -> Result<ExitCode, Failure> {
    let api = load::load_file(&args.spec)?;
    let mock = Mock::new(
        api,
        MockOptions {
            seed: args.gen.seed,
            locale: args.gen.locale,
            ..MockOptions::default()
        },
    );
    let method = Method::parse(&args.method)
        .ok_or_else(|| Failure::Other(format!("unknown method {}", args.method)))?;
    let op = match mock.router.route(method, &args.path) {
        Routed::Found { operation, .. } => operation,
        Routed::MethodNotAllowed { allow } => {
            let list: Vec<&str> = allow.iter().map(|m| m.as_str()).collect();
            return Err(Failure::Other(format!(
                "{} does not accept {method}; it accepts {}",
                args.path,
                list.join(", ")
            )));
        }
        Routed::NotFound => {
            return Err(Failure::Other(match mock.router.nearest(&args.path) {
                Some(t) => format!(
                    "no operation matches {method} {}; did you mean {t}?",
                    args.path
                ),
                None => format!("no operation matches {method} {}", args.path),
            }))
        }
    };
    let answer = mock.answer_operation(op, args.status, args.accept.as_deref(), false);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&answer.body);
    if !answer.body.ends_with(b"\n") {
        let _ = out.write_all(b"\n");
    }
    if args.explain {
        let content_type = answer
            .headers
            .iter()
            .find(|(n, _)| n == http::header::CONTENT_TYPE)
            .and_then(|(_, v)| v.to_str().ok())
            .unwrap_or("");
        let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
        let _ = writeln!(out, "\nwhy each string is what it is:");
        for (pointer, why) in mock.explain(op, answer.status, content_type) {
            let value = body
                .pointer(&pointer)
                .map(|v| v.to_string())
                .unwrap_or_default();
            let shown: String = value.chars().take(60).collect();
            let at = if pointer.is_empty() {
                "(body)"
            } else {
                pointer.as_str()
            };
            let _ = writeln!(out, "  {at} = {shown}  ← {why}");
        }
    }
    if answer.status >= 400 && args.status.is_none_or(|s| s != answer.status) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Per-request log lines go to standard error in batches: a line is appended to a buffer, and
/// a background thread writes the buffer out every [`batched_log::INTERVAL`] (at once when it
/// passes [`batched_log::LIMIT`] bytes), so a request costs a memory copy instead of a `write`
/// call and a contended lock on standard error. Lines appear at most 50 ms late, in order;
/// whatever is buffered is written when the command ends.
mod batched_log {
    use std::io::Write;
    use std::sync::{Mutex, Once};

    /// How long a line may wait.
    pub const INTERVAL: std::time::Duration = std::time::Duration::from_millis(50);
    /// How many bytes may wait: more are written at once, by the request that passed it.
    pub const LIMIT: usize = 64 * 1024;

    static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());
    static WRITER: Once = Once::new();

    /// Writes out what is buffered. The lock is held while writing, so lines never overtake
    /// each other.
    pub fn flush() {
        let mut buf = BUFFER.lock().unwrap_or_else(|e| e.into_inner());
        write_out(&mut buf);
    }

    fn write_out(buf: &mut Vec<u8>) {
        if !buf.is_empty() {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(buf).and_then(|_| err.flush());
            buf.clear();
        }
    }

    /// Appends whole lines to the buffer (the request log's sink).
    pub fn write(bytes: &[u8]) {
        WRITER.call_once(|| {
            let _ = std::thread::Builder::new()
                .name("log-writer".into())
                .spawn(|| loop {
                    std::thread::sleep(INTERVAL);
                    flush();
                });
        });
        let mut buf = BUFFER.lock().unwrap_or_else(|e| e.into_inner());
        buf.extend_from_slice(bytes);
        if buf.len() >= LIMIT {
            write_out(&mut buf);
        }
    }

    /// `tracing_subscriber`'s writer: each event arrives as one `write` of a whole line.
    pub struct Stderr;

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Stderr {
        type Writer = Line;

        fn make_writer(&'a self) -> Line {
            Line
        }
    }

    pub struct Line;

    impl Write for Line {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            write(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
