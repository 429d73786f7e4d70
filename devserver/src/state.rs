//! Shared server state handed to every handler.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::watch;

use crate::access::AccessPolicy;
use crate::config::Config;
use crate::failures::FailurePlan;
use crate::query_id::QueryIdGenerator;
use crate::records::RequestLog;
use crate::search::Catalog;
use crate::server::ServerError;
use crate::validate::ValidationRules;

/// Tells long-lived responses (SSE, hung requests) that the server is stopping.
#[derive(Debug, Clone)]
pub struct ShutdownSignal(watch::Receiver<bool>);

impl ShutdownSignal {
    /// Follows `receiver`: shutdown once it holds `true` or its sender is gone.
    pub fn new(receiver: watch::Receiver<bool>) -> Self {
        ShutdownSignal(receiver)
    }

    /// Resolves when the server starts shutting down.
    pub async fn wait(&self) {
        let mut receiver = self.0.clone();
        // An error means the sender is gone: that is a shutdown too.
        let _ = receiver.wait_for(|stopping| *stopping).await;
    }
}

struct Inner {
    log: RequestLog,
    failures: FailurePlan,
    catalog: Catalog,
    rules: ValidationRules,
    www: Option<PathBuf>,
    pkg: Option<PathBuf>,
    query_ids: QueryIdGenerator,
    shutdown: ShutdownSignal,
    access: AccessPolicy,
}

/// Cheap to clone: everything lives behind one `Arc`.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    /// Loads the catalog and opens the event log named by `config`.
    pub fn new(config: &Config, shutdown: ShutdownSignal) -> Result<Self, ServerError> {
        let catalog = match &config.catalog {
            Some(path) => Catalog::from_file(path)?,
            None => Catalog::embedded()?,
        };
        let log = RequestLog::with_budget(config.log.as_deref(), config.max_kept_bytes)
            .map_err(|err| ServerError::Io(format!("cannot open the event log: {err}")))?;
        Ok(AppState {
            inner: Arc::new(Inner {
                log,
                failures: FailurePlan::default(),
                catalog,
                rules: ValidationRules::with_max_age_days(config.max_event_age_days),
                www: config.www.clone(),
                pkg: config.pkg.clone(),
                query_ids: QueryIdGenerator::default(),
                shutdown,
                access: AccessPolicy::new(config),
            }),
        })
    }

    /// Request and event records.
    pub fn log(&self) -> &RequestLog {
        &self.inner.log
    }

    /// Pending injected failures.
    pub fn failures(&self) -> &FailurePlan {
        &self.inner.failures
    }

    /// Products of the fake search backend.
    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    /// Event validation limits.
    pub fn rules(&self) -> &ValidationRules {
        &self.inner.rules
    }

    /// Directory served at `/`.
    pub fn www(&self) -> Option<&PathBuf> {
        self.inner.www.as_ref()
    }

    /// Directory served at `/pkg/`.
    pub fn pkg(&self) -> Option<&PathBuf> {
        self.inner.pkg.as_ref()
    }

    /// Source of search query IDs.
    pub fn query_ids(&self) -> &QueryIdGenerator {
        &self.inner.query_ids
    }

    /// Who may use the control routes and the debugger.
    pub fn access(&self) -> &AccessPolicy {
        &self.inner.access
    }

    /// Resolves when the server is stopping.
    pub fn shutdown(&self) -> &ShutdownSignal {
        &self.inner.shutdown
    }
}
